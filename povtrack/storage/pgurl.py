"""A PostgreSQL database named by a ``postgresql://`` (or ``postgres://``) URL, as libpq reads
it: ``PgUrl``. Nothing here imports psycopg, so naming such a database costs nothing until it is
opened (``storage.postgres``).

Invariant: a password never leaves this object except towards libpq. ``str(url)`` (what every
message shows) is the URL with the password of its user part and any ``password=`` parameter
replaced by ``***``; ``conninfo`` (the raw text) is given only to ``psycopg.connect``. libpq
itself fills in what the URL leaves out (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE) and
finds a password in ``~/.pgpass`` or PGPASSFILE; TLS settings such as ``sslmode=verify-full``
pass through as parameters of the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEMES = ("postgresql://", "postgres://")
MASK = "***"
# password=... among the URL's parameters (up to the next & or the end)
_PASSWORD_PARAM = re.compile(r"(?i)([?&]password=)[^&#]*")


def is_pg_url(text: str) -> bool:
    return text.lower().startswith(SCHEMES)


def mask(text: str) -> str:
    """``text`` with the password of a libpq URL in it (user part or parameter) masked."""
    scheme_end = text.find("://")
    if scheme_end < 0:
        return text
    start = scheme_end + 3
    end = len(text)
    for stop in "/?#":
        found = text.find(stop, start)
        if found >= 0:
            end = min(end, found)
    netloc = text[start:end]
    user, at, hosts = netloc.rpartition("@")
    if at and ":" in user:
        netloc = user.split(":", 1)[0] + ":" + MASK + "@" + hosts
    rest = _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, text[end:])
    return text[:start] + netloc + rest


@dataclass(frozen=True)
class PgUrl:
    """A ``postgresql://`` database: shown masked, connected to as written."""

    conninfo: str

    def __str__(self) -> str:
        return mask(self.conninfo)

    def __repr__(self) -> str:
        return f"PgUrl({str(self)!r})"

    def hide(self, text: str) -> str:
        """A message (a driver's, say) with this URL's password taken out wherever it shows."""
        text = text.replace(self.conninfo, str(self))
        secret = _password(self.conninfo)
        return text.replace(secret, MASK) if secret else text


def _password(conninfo: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(conninfo)
        if parts.password:
            return unquote(parts.password)
    except ValueError:
        pass
    found = _PASSWORD_PARAM.search(conninfo)
    return unquote(found.group(0).split("=", 1)[1]) if found and "=" in found.group(0) else None
