"""povtrack's tables on PostgreSQL, made by ``init`` (or ``db migrate --to postgresql://...``)
in a schema of their own, ``povtrack``, so the database may hold other things beside them.

The layout follows the SQLite file's (``sqlite.file``): ``meta`` (key -> JSON text), and the
three append-only tables ``entries``, ``batches`` and ``allocations``. Differences, and why:

* values are ``NUMERIC``, never floating point: an int is stored as written, a decimal as the
  shortest text that reads back as the float it was given (``value_param``), and read back as
  an int when it has no fractional digits, else as that float (``NumericLoader``), so a value
  round-trips exactly and ``5200`` and ``13.0`` stay an int and a float as on the other
  backends;
* dates are ``date`` columns (the server checks them), shown as ISO text in the records;
* append-only is the server's business twice over: UPDATE, DELETE and TRUNCATE are revoked
  from everyone, the owner included, and a trigger refuses them anyway (an owner can grant
  itself the privilege back; the trigger must then be dropped too, which ``db verify`` sees);
* the author of every entry, batch and allocation is the server's ``session_user``: the column
  defaults to it and a trigger (``AUTHOR_DDL``) overwrites whatever the client sent, so a
  client cannot write under another login's name; the name the client gives (``--by``) is kept
  in ``on_behalf_of``. ``db migrate`` fills a new schema before that trigger exists, so moved
  records keep the authors they had;
* the files each import took are rows of ``imported_files`` too, written with the batch: the
  server's unique key (a file's sha256 and the undone import it follows) decides that the
  same file imported twice counts once, even between two clients that both read before
  either wrote (``imported_after``);
* offices are logins (``postgres.users``) listed in ``users`` with their kind and, for a
  county office, its area; row-level security (``RLS_DDL``) decides each INSERT against that
  table: see ``postgres.users`` for what each kind may do. The login that ran ``init`` owns the
  schema and so bypasses row-level security: it administers the database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from povtrack.storage import tail

SCHEMA = 1  # the layout's version, kept in meta as "schema"
NAME = "povtrack"  # the PostgreSQL schema that holds the tables
APPEND_ONLY = ("entries", "allocations", "batches")  # the records, counted in meta
# append-only as well: the offices' history (a removal is a row too), the plan's areas, and
# the files each import took (``IMPORTED_FILES``)
GUARDED = (*APPEND_ONLY, "users", "areas", "imported_files")
# ``series``: every (indicator, area) with an entry and its running figures over all its rows
# (how many, how many repeat a date, the exact sum, the newest date), kept by a trigger on
# ``entries`` for the reads by the engine (``storage.window``), and its tail (its last rows,
# ``storage.tail``); derived, so updated in place
# by that trigger alone (it runs as the schema's owner) and checked again by ``db verify``
TABLES = ("meta", *GUARDED, "series")
ROLES = ("city", "county", "viewer")
# The meta keys every commit writes (``PgBackend.commit``): a county office may write these,
# and only the city (or the administrator) any other key, such as the plan
BOOKKEEPING = (
    "generation",
    "written_by",
    "committed_at",
    "entries_count",
    "batches_count",
    "allocations_count",
)
LARGEST = "1e308"  # as on SQLite: below the largest finite double
# the series' figures, and the same worked out from the entries (``bulk.fill``, ``db verify``)
FIGURES = "indicator, area, n_rows, repeats, total, newest, " + ", ".join(tail.COLUMNS)
WORKED_OUT = (
    "SELECT f.*, " + ", ".join(f"t.{c}" for c in tail.COLUMNS) + " FROM (SELECT indicator, "
    "area, count(*) AS n_rows, count(*) - count(DISTINCT date) AS repeats, sum(value) AS "
    f"total, max(date) AS newest FROM {NAME}.entries GROUP BY indicator, area) f "
    f"JOIN ({tail.of_all(NAME + '.entries')}) t ON t.indicator = f.indicator AND t.area = f.area"
)
_TAIL_DDL = "".join(
    f"last{n}_date date, last{n}_value numeric, last{n}_id bigint, "
    for n in range(1, tail.KEEP + 1)
)

_NUMBER = "{c} >= 0 AND {c} < " + LARGEST

DDL = [
    f"CREATE SCHEMA {NAME}",
    f"CREATE TABLE {NAME}.meta (key text PRIMARY KEY, value text NOT NULL)",
    f"""CREATE TABLE {NAME}.entries (
        id bigint PRIMARY KEY CHECK (id > 0),
        indicator text NOT NULL,
        area text NOT NULL,
        date date NOT NULL,
        value numeric NOT NULL CHECK ({_NUMBER.format(c="value")}),
        note text NOT NULL DEFAULT '',
        source text NOT NULL DEFAULT '',
        recorded_at text NOT NULL DEFAULT '',
        "by" text NOT NULL DEFAULT session_user,
        batch text NOT NULL DEFAULT '',
        corrects bigint,
        reason text,
        on_behalf_of text
    )""",
    f"CREATE INDEX entries_day ON {NAME}.entries (indicator, area, date, id) INCLUDE (value)",
    f"CREATE INDEX entries_batch ON {NAME}.entries (batch)",
    f"CREATE INDEX entries_corrections ON {NAME}.entries (corrects) WHERE corrects IS NOT NULL",
    f"""CREATE TABLE {NAME}.batches (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        kind text NOT NULL,
        "by" text DEFAULT session_user,
        at text,
        files text,
        reverts text,
        reason text,
        extra text NOT NULL DEFAULT '{{}}'
    )""",
    # "the same file imported twice counts once", decided by the server's own constraint: a
    # file's row goes in with its import batch, in the same transaction, keyed by its sha256
    # and by the undone import it follows ('' for the first), so two imports of the same file
    # on the same footing, concurrent or not, cannot both commit (unique_violation), while an
    # undone file may be imported again (``imported_after``). No foreign key to batches: its
    # check locks the batch row FOR KEY SHARE, which needs the UPDATE privilege nobody has
    # the few undo batches, found without reading every batch (``window.undone``)
    f"CREATE INDEX batches_undo ON {NAME}.batches (seq) WHERE kind = 'undo'",
    f"""CREATE TABLE {NAME}.imported_files (
        sha256 text NOT NULL,
        after text NOT NULL DEFAULT '',
        batch text NOT NULL,
        PRIMARY KEY (sha256, after)
    )""",
    f"""CREATE TABLE {NAME}.allocations (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        indicator text NOT NULL,
        area text NOT NULL,
        value numeric NOT NULL CHECK ({_NUMBER.format(c="value")}),
        due date,
        note text NOT NULL DEFAULT '',
        source text NOT NULL DEFAULT '',
        recorded_at text NOT NULL DEFAULT '',
        "by" text NOT NULL DEFAULT session_user
    )""",
    # the offices, as a history: a login's newest row says what it is now; a removed login's
    # newest row has no role
    f"""CREATE TABLE {NAME}.users (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        login text NOT NULL,
        role text CHECK (role IN ('city', 'county', 'viewer')),
        area text,
        at timestamptz NOT NULL DEFAULT now(),
        "by" text NOT NULL DEFAULT session_user,
        CHECK ((role = 'county') = (area IS NOT NULL))
    )""",
    f"""CREATE VIEW {NAME}.offices AS
        SELECT DISTINCT ON (login) login, role, area FROM {NAME}.users
        ORDER BY login, seq DESC""",
    # the plan's areas and their parents, written once by init: what "under" means to the policy
    f"CREATE TABLE {NAME}.areas (id text PRIMARY KEY, parent text)",
    f"""CREATE TABLE {NAME}.series (
        indicator text NOT NULL,
        area text NOT NULL,
        n_rows bigint NOT NULL,
        repeats bigint NOT NULL,
        total numeric NOT NULL,
        newest date NOT NULL,
        {_TAIL_DDL}
        PRIMARY KEY (indicator, area)
    )""",
    # Writers that add at once each take the series' row in turn (FOR UPDATE, held to their
    # commit), and only then look for an earlier report of the date: each statement of this
    # volatile function sees what was committed before it ran, so of two reports of one date
    # the second to take the row sees the first, and a repeat is counted once, never missed
    f"""CREATE FUNCTION {NAME}.series_seen() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog AS $$
    DECLARE
        again boolean;
    BEGIN
        INSERT INTO {NAME}.series (indicator, area, n_rows, repeats, total, newest)
        VALUES (NEW.indicator, NEW.area, 0, 0, 0, NEW.date)
        ON CONFLICT (indicator, area) DO NOTHING;
        PERFORM 1 FROM {NAME}.series
            WHERE indicator = NEW.indicator AND area = NEW.area FOR UPDATE;
        SELECT EXISTS (SELECT 1 FROM {NAME}.entries x
            WHERE x.indicator = NEW.indicator AND x.area = NEW.area
            AND x.date = NEW.date AND x.id <> NEW.id) INTO again;
        UPDATE {NAME}.series SET
            n_rows = n_rows + 1,
            repeats = repeats + again::int,
            total = total + NEW.value,
            newest = greatest(newest, NEW.date),
            {tail.assign(f"{NAME}.entries", "NEW.indicator", "NEW.area")}
        WHERE indicator = NEW.indicator AND area = NEW.area;
        RETURN NULL;
    END $$""",
    f"CREATE TRIGGER entries_series AFTER INSERT ON {NAME}.entries "
    f"FOR EACH ROW EXECUTE FUNCTION {NAME}.series_seen()",
    # entry and batch numbers drawn by the server, so that writers adding at once never
    # draw the same one (``next_ids``; set past the records a new database is filled with)
    f"CREATE SEQUENCE {NAME}.entry_ids",
    f"CREATE SEQUENCE {NAME}.batch_ids",
    f"""CREATE FUNCTION {NAME}.next_ids(what text, n integer) RETURNS SETOF bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
        SELECT nextval(CASE WHEN what = 'entries' THEN '{NAME}.entry_ids'
                            ELSE '{NAME}.batch_ids' END::regclass)
        FROM generate_series(1, n) $$""",
    f"""CREATE FUNCTION {NAME}.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'povtrack: % are append-only, never changed or removed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    *(
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {NAME}.{t} "
        f"FOR EACH ROW EXECUTE FUNCTION {NAME}.append_only()"
        for t in GUARDED
    ),
    *(
        f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {NAME}.{t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {NAME}.append_only()"
        for t in GUARDED
    ),
    f"CREATE TRIGGER series_no_delete BEFORE DELETE ON {NAME}.series "
    f"FOR EACH ROW EXECUTE FUNCTION {NAME}.append_only()",
    f"CREATE TRIGGER series_no_truncate BEFORE TRUNCATE ON {NAME}.series "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {NAME}.append_only()",
    f"REVOKE ALL ON ALL TABLES IN SCHEMA {NAME} FROM PUBLIC",
    *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {NAME}.{t} FROM PUBLIC, CURRENT_USER" for t in GUARDED),
    # the series' figures: changed in place by their trigger (as the owner), never removed
    f"REVOKE DELETE, TRUNCATE ON {NAME}.series FROM PUBLIC, CURRENT_USER",
    # a plain view is updatable: its owner's privileges to change it go too
    f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {NAME}.offices FROM PUBLIC, CURRENT_USER",
]

_BOOKKEEPING = "ARRAY[" + ", ".join(f"'{k}'" for k in BOOKKEEPING) + "]"
_HELPER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog"

# Row-level security and the functions its policies use. The functions are SECURITY DEFINER
# (they run as the schema's owner) so that a policy can look at users, areas and earlier rows
# whatever the login may read, and they name session_user, which no SET ROLE changes.
RLS_DDL = [
    f"""CREATE FUNCTION {NAME}.my_role() RETURNS text {_HELPER} AS $$
        SELECT role FROM {NAME}.offices WHERE login = session_user $$""",
    f"""CREATE FUNCTION {NAME}.may_write_area(target text) RETURNS boolean {_HELPER} AS $$
        WITH RECURSIVE mine(id) AS (
            SELECT area FROM {NAME}.offices WHERE login = session_user AND role = 'county'
            UNION SELECT a.id FROM {NAME}.areas a JOIN mine ON a.parent = mine.id
        ) SELECT EXISTS (SELECT 1 FROM mine WHERE id = target) $$""",
    f"""CREATE FUNCTION {NAME}.own_batch(target text) RETURNS boolean {_HELPER} AS $$
        SELECT EXISTS (SELECT 1 FROM {NAME}.batches
                       WHERE id = target AND "by" = session_user) $$""",
    f"""CREATE FUNCTION {NAME}.own_entry(target bigint) RETURNS boolean {_HELPER} AS $$
        SELECT EXISTS (SELECT 1 FROM {NAME}.entries e JOIN {NAME}.batches b ON b.id = e.batch
                       WHERE e.id = target AND b."by" = session_user) $$""",
    *(f"ALTER TABLE {NAME}.{t} ENABLE ROW LEVEL SECURITY" for t in TABLES),
    *(f"CREATE POLICY {t}_read ON {NAME}.{t} FOR SELECT USING (true)" for t in TABLES),
    f"""CREATE POLICY entries_write ON {NAME}.entries FOR INSERT WITH CHECK (
        {NAME}.my_role() = 'city'
        OR ({NAME}.my_role() = 'county' AND {NAME}.may_write_area(area)
            AND (corrects IS NULL OR {NAME}.own_entry(corrects))))""",
    f"""CREATE POLICY batches_write ON {NAME}.batches FOR INSERT WITH CHECK (
        {NAME}.my_role() = 'city'
        OR ({NAME}.my_role() = 'county' AND (reverts IS NULL OR {NAME}.own_batch(reverts))))""",
    f"""CREATE POLICY imported_files_write ON {NAME}.imported_files FOR INSERT WITH CHECK (
        {NAME}.my_role() = 'city' OR ({NAME}.my_role() = 'county' AND {NAME}.own_batch(batch)))""",
    f"""CREATE POLICY allocations_write ON {NAME}.allocations FOR INSERT
        WITH CHECK ({NAME}.my_role() = 'city')""",
    f"""CREATE POLICY meta_insert ON {NAME}.meta FOR INSERT WITH CHECK (
        {NAME}.my_role() = 'city'
        OR ({NAME}.my_role() = 'county' AND key = ANY ({_BOOKKEEPING})))""",
    f"""CREATE POLICY meta_update ON {NAME}.meta FOR UPDATE USING (
        {NAME}.my_role() = 'city'
        OR ({NAME}.my_role() = 'county' AND key = ANY ({_BOOKKEEPING})))""",
    f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {NAME} FROM PUBLIC",
]

# What db verify expects to find: row-level security on every table, and these policies
POLICIES = {(t, f"{t}_read") for t in TABLES} | {
    ("entries", "entries_write"),
    ("batches", "batches_write"),
    ("allocations", "allocations_write"),
    ("imported_files", "imported_files_write"),
    ("meta", "meta_insert"),
    ("meta", "meta_update"),
}

# The author is the server's: made after db migrate has filled the tables (see the docstring);
# the numbers drawn next are past those of the records it filled them with
AUTHOR_DDL = [
    f"SELECT setval('{NAME}.entry_ids', coalesce(max(id), 0) + 1, false) FROM {NAME}.entries",
    f"""SELECT setval('{NAME}.batch_ids', coalesce(max(substr(id, 2)::bigint), 0) + 1, false)
        FROM {NAME}.batches WHERE id ~ '^b[0-9]{{1,18}}$'""",
    f"""CREATE FUNCTION {NAME}.author() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW."by" := session_user;
        RETURN NEW;
    END $$""",
    *(
        f"CREATE TRIGGER {t}_author BEFORE INSERT ON {NAME}.{t} "
        f"FOR EACH ROW EXECUTE FUNCTION {NAME}.author()"
        for t in APPEND_ONLY
    ),
]

# What db verify expects to find: the triggers by table
TRIGGERS = (
    {(t, f"{t}_{kind}") for t in GUARDED for kind in ("append_only", "no_truncate")}
    | {(t, f"{t}_author") for t in APPEND_ONLY}
    | {("entries", "entries_series")}
)

ENTRY_COLUMNS = (
    'id, indicator, area, date, value, note, source, recorded_at, "by", batch, corrects, reason, '
    "on_behalf_of"
)
BATCH_COLUMNS = 'id, kind, "by", at, files, reverts, reason, extra'
ALLOCATION_COLUMNS = 'indicator, area, value, due, note, source, recorded_at, "by"'
INSERT_ENTRY = f"INSERT INTO {NAME}.entries ({ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 13)})"
INSERT_BATCH = f"INSERT INTO {NAME}.batches ({BATCH_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})"
INSERT_FILE = f"INSERT INTO {NAME}.imported_files (sha256, after, batch) VALUES (%s, %s, %s)"
IMPORTED_FILES_KEY = "imported_files_pkey"  # the constraint a repeated import runs into
INSERT_ALLOCATION = (
    f"INSERT INTO {NAME}.allocations ({ALLOCATION_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})"
)


def imported_after(
    batches: list[dict[str, Any]], undone: set[str] | dict[str, Any]
) -> list[tuple[str, str, str]]:
    """``imported_files``'s rows for ``batches`` (in order), ``undone`` being the batches whose
    effect is undone: (sha256, the latest earlier undone batch that took the same file or '',
    batch). A file imported again while its import is in force gets the same key as that
    import, so the server refuses it."""
    after: dict[str, str] = {}
    rows = []
    for b in batches:
        for f in b.get("files") or []:
            rows.append((f["sha256"], after.get(f["sha256"], ""), b["id"]))
        if b["id"] in undone:
            for f in b.get("files") or []:
                after[f["sha256"]] = b["id"]
    return rows


def value_param(value: Any) -> Any:
    """A value as the NUMERIC it is stored as: an int as is, a float as the shortest decimal
    that reads back as it (what was typed; never the binary expansion, never 15 digits)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def value_of(text: str) -> int | float:
    """A NUMERIC's text as the value it was given: an int without a decimal point, else the
    float whose shortest form this is."""
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)
