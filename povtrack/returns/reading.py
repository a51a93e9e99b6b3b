"""How a return file was read, said before anything is written (``import --dry-run``) and
whenever it was not the plain English long header on the first row: the layout, the header's
row, the encoding (or the sheet), what each column reads as, and what the title gave.

``as_json`` gives the same as fields (``layout``, ``header_row``, ``sheet``, ``columns``,
``from_title``); a file that was not read (imported before) has them all null. For users:
docs/returns.md, "How a file was read".
"""

from __future__ import annotations

from typing import Any

from povtrack.i18n import tr
from povtrack.returns.headers import COLUMNS, Header
from povtrack.textsafe import escape, shown


def empty_json() -> dict[str, Any]:
    return {"layout": None, "header_row": None, "sheet": None, "columns": None, "from_title": None}


def as_json(header: Header, sheet: str | None) -> dict[str, Any]:
    return {
        "layout": header.layout,
        "header_row": header.row,
        "sheet": sheet,
        "columns": [c.as_json() for c in header.columns],
        "from_title": {
            what: {
                "row": found.row,
                "text": found.text,
                "reads_as": found.value
                if isinstance(found.value, str)
                else found.value.isoformat(),
            }
            for what, found in header.given.items()
        },
    }


def plain(header: Header) -> bool:
    """The header as povtrack has always read it: long, on the first row, English names."""
    return (
        header.layout == "long"
        and header.first
        and not header.given
        and all(c.text.strip().lower() in COLUMNS for c in header.columns)
    )


def _layout(layout: str) -> str:
    if layout == "wide":
        return tr("wide（宽表：指标横排）", "wide layout (indicators across)")
    return tr("long（长表：每行一个数值）", "long layout (one value a row)")


def lines(name: str, encoding: str, header: Header, sheet: str | None) -> list[str]:
    """What to say about how the file ``name`` was read."""
    source = (
        tr(f"工作表 '{escape(sheet)}'", f"sheet '{escape(sheet)}'")
        if sheet is not None
        else tr(f"按 {encoding} 读取", f"read as {encoding}")
    )
    above = (
        ""
        if header.first
        else tr("（上面的行是标题和说明）", " (the rows above it are its title and notes)")
    )
    sep = tr("；", "; ")
    out = [
        f"{escape(name)}: {source}{sep}{_layout(header.layout)}{sep}"
        + tr(f"表头在第 {header.row} 行", f"header on row {header.row}")
        + above
    ]
    matched = []
    for c in header.columns:
        what = (
            c.indicator.id
            if c.indicator is not None
            else tr("（不读）", "(not read)")
            if c.reads_as == "ignored"
            else c.reads_as
        )
        matched.append(f"{shown(c.text)} → {what}")
    out.append(tr("  列：", "  columns: ") + tr("，", ", ").join(matched))
    for what, found in header.given.items():
        value = found.value if isinstance(found.value, str) else found.value.isoformat()
        label = tr("地区" if what == "area" else "日期", what)
        out.append(
            tr(
                f"  {label}取自标题（第 {found.row} 行）：{shown(found.text)} → {value}",
                f"  {label} from the title (row {found.row}): {shown(found.text)} → {value}",
            )
        )
    return out
