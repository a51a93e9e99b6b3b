"""Numbers to trust (``povtrack check``): the plan's rules and the built-in anomaly checks,
as findings. ``findings`` holds the thresholds and the ``Finding``, ``rules`` and ``anomalies``
find, ``check`` runs them all. For users: docs/rules.md, "Checks".
"""
