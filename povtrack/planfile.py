"""Plan files (TOML) -> model.Plan, with errors that name the file, the key and what is wrong.

Read with the standard library's tomllib. The bundled plans live in ``povtrack/plans/``. For users:
docs/plan.md.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from povtrack import planshape
from povtrack.errors import PlanError
from povtrack.i18n import tr
from povtrack.model import (
    Plan,
)

BUNDLED = "datong-2018"


def bundled_text(plan_id: str = BUNDLED) -> str:
    return resources.files("povtrack.plans").joinpath(f"{plan_id}.toml").read_text("utf-8")


def read_plan_file(path: Path) -> tuple[Plan, str]:
    """Parse a plan file; returns the plan and its text (the database keeps the text)."""
    try:
        with path.open("rb") as file:  # never more than the limit: not /dev/zero, not 10 GB
            raw = file.read(planshape.MAX_PLAN_BYTES + 1)
        if len(raw) > planshape.MAX_PLAN_BYTES:
            raise planshape.too_large(str(path))
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise PlanError(tr(f"{path}：没有这个方案文件", f"{path}: no such plan file")) from None
    except UnicodeDecodeError as exc:
        raise PlanError(
            tr(
                f"{path}：不是 UTF-8 文本（第{exc.start}字节）",
                f"{path}: not UTF-8 text (byte {exc.start})",
            )
        ) from None
    except OSError as exc:
        raise PlanError(
            tr(f"{path}：无法读取：{exc.strerror}", f"{path}: cannot read: {exc.strerror}")
        ) from None
    return parse_plan(text, str(path)), text


def parse_plan(text: str, origin: str) -> Plan:
    """The plan in ``text`` (a plan file's, or the one a database keeps), checked as hostile
    input: any problem is one PlanError naming ``origin`` and the key path."""
    planshape.check_text(text, origin)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # nested hundreds deep; less is refused by the type of the key
        planshape.check_text(text, origin, scan=True)
        raise PlanError(
            tr(
                f"{origin}：不是有效的 TOML：嵌套太深",
                f"{origin}: not valid TOML: nested too deep",
            )
        ) from None
    except ValueError as exc:  # TOMLDecodeError, and an integer of thousands of digits
        why = " ".join(str(exc).split())
        raise PlanError(
            tr(f"{origin}：不是有效的 TOML：{why}", f"{origin}: not valid TOML: {why}")
        ) from None
    return plan_from_data(data, origin)


def plan_from_data(data: dict[str, Any], origin: str) -> Plan:
    """The plan of a parsed document (TOML's, or a database's kept copy of it,
    ``planstore``), checked as hostile input as ``parse_plan`` checks it."""
    from povtrack.planbuild import PlanBuilder

    builder = PlanBuilder(origin)
    planshape.check_shape(data, builder.fail)
    return builder.plan(data)
