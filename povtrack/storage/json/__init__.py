"""The JSON backend: one TinyDB file (``backend``), read and checked as bytes (``file``,
``checks``), its entries by series (``entrytable``), verified, backed up and restored
(``maintenance``). For users: docs/storage.md.
"""
