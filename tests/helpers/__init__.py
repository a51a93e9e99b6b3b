"""Helpers shared by the test modules, imported as ``tests.helpers.<name>`` (the project root is
on ``sys.path``: pytest puts it there, as the root of the ``tests`` package)."""
