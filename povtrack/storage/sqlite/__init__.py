"""The SQLite backend: one SQLite file (``backend``), its layout and connections (``file``),
opened (``opening``) and checked (``checks``, ``schema``) before anything trusts it, read
(``reads``), verified, backed up and restored (``maintenance``). For users: docs/storage.md.
"""
