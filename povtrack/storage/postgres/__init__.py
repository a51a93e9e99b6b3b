"""The PostgreSQL backend: a povtrack database as the ``povtrack`` schema of a PostgreSQL
database, reached with psycopg 3. Only ``storage.Database`` imports it, and only for a
``postgresql://`` URL, so psycopg is never loaded for a JSON or SQLite database."""
