"""The plan as a SQLite or PostgreSQL database keeps it: its TOML text (``plan_text``, what
was given and what counts) and beside it the parsed document as JSON (``plan_doc``), so that
opening the database reads the plan without parsing TOML again. TOML is parsed in pure
Python: a plan of 450 townships is 85 KB of it and took a tenth of a ``status``.

``plan_doc`` is derived data, bound to its text by the text's SHA-256: a doc whose digest is
not the text's (the text changed by hand, a doc from another plan) is ignored and the text
parsed, and ``db verify`` reports a doc that is not what the text gives. The doc is checked
as hostile input as the text is (``planfile.plan_from_data``). A TOML date is written as
``{"$date": "YYYY-MM-DD"}``; a plan with any other value JSON cannot hold (a time, a
date-time) keeps no doc.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date, datetime, time
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Plan
from povtrack.planfile import parse_plan, plan_from_data

KEY = "plan_doc"
_DATE = "$date"


class _NotJson(Exception):
    pass


def _tagged(value: Any) -> Any:
    if isinstance(value, dict):
        if _DATE in value:
            raise _NotJson  # a table that would read back as a date
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, datetime | time):
        raise _NotJson
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _DATE in value:
            return date.fromisoformat(value[_DATE])
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def portable_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """A database's meta as its records carry it to another database (``db migrate``, a
    backup): without the doc, which is made again from the text where it is kept."""
    return {k: v for k, v in meta.items() if k != KEY}


def digest(text: str) -> str:
    """A plan text's SHA-256 (``plan_sha256`` in every database's meta)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_doc(text: str) -> dict[str, Any] | None:
    """The doc to keep beside a plan's text (None when it cannot be kept as JSON). The text
    must parse: call this on a plan already read."""
    try:
        return {"sha256": digest(text), "doc": _tagged(tomllib.loads(text))}
    except _NotJson:
        return None


def stored_plan(meta: dict[str, Any], origin: str) -> Plan:
    """The plan of a database's meta: from its doc when that is the text's, else parsed from
    the text. Either way checked as ``parse_plan`` checks (a PlanError naming ``origin``)."""
    text = meta["plan_text"]
    kept = meta.get(KEY)
    if isinstance(kept, dict) and kept.get("sha256") == digest(text) and "doc" in kept:
        try:
            data = _untagged(kept["doc"])
        except (TypeError, ValueError, RecursionError):
            data = None  # not a doc povtrack wrote: the text decides
        if isinstance(data, dict):
            return plan_from_data(data, origin)
    return parse_plan(text, origin)


def doc_problem(meta: dict[str, Any], origin: str) -> str | None:
    """What is wrong with a database's plan text or its doc, if anything (``db verify``: an
    open may have read the doc alone)."""
    try:
        parse_plan(meta["plan_text"], origin)
    except UsageError as exc:
        return exc.message
    kept = meta.get(KEY)
    if kept is None or kept == json.loads(json.dumps(plan_doc(meta["plan_text"]))):
        return None
    return tr(
        "meta 'plan_doc'（方案的解析副本）与 'plan_text' 不符",
        "meta 'plan_doc' (the plan's parsed copy) is not what 'plan_text' gives",
    )
