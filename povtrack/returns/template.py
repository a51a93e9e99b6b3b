"""A filled county template (written by ``povtrack template``) read back as a return.

A workbook is a template when it holds the hidden sheet ``stamp.STAMP_SHEET``. Its stamp names
the plan (id and digest), the area, the week and where the rows are; nothing is typed on import.
The template is refused whole, with one line saying why, when it was made for another plan (or
another version of this plan), when its stamp is damaged, or when any locked cell differs from
what was written (an edited indicator id, a changed target, a pasted row: the digest of the
locked cells no longer matches). Otherwise each row whose input cell holds something is one
row of the return: the week's Sunday, the stamp's area, the row's indicator, the input cell as
the value and the note cell as the note, in the shape ``returns.reader`` checks every row in
(``{column: (column number, cell value)}``). A row left empty is not reported, never read as 0;
a note without a value is a problem of its row. The user's guide: docs/returns.md, "Templates".
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Protocol

from povtrack import stamp
from povtrack.dates import parse_week
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Plan
from povtrack.returns import xlsx as xlsx_in
from povtrack.returns.cells import blank, cell_text
from povtrack.returns.rows import Batch, take_row

_SHEET = re.compile(
    rb"<(?:\w+:)?sheet\b[^>]*\bname=[\"']" + re.escape(stamp.STAMP_SHEET.encode()) + rb"[\"']"
)


def is_template(data: bytes) -> bool:
    """Whether the workbook in ``data`` names the stamp sheet (read from its workbook part
    only, within the workbook limits)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > xlsx_in.MAX_PART_BYTES:
                return False  # the reader refuses it, saying why
            return _SHEET.search(zf.read(info)) is not None
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return False


@dataclass
class TemplateRows:
    """What a template holds: its rows in the reader's shape, and the problems of its cells."""

    title: str
    area: str
    week: str
    rows: list[tuple[int, dict[str, tuple[int, Any]]]] = field(default_factory=list)
    unsaved: set[tuple[int, int]] = field(default_factory=set)  # formulas never calculated
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, why)


def _again(fields: dict[str, str]) -> str:
    return f"povtrack template --area {fields.get('area', 'AREA')} --week {fields.get('week', 'W')}"


def _damaged(why: str) -> UsageError:
    return UsageError(
        tr(
            f"这份填报模板的内嵌信息已损坏（{why}）；请用 povtrack template 重新生成模板",
            f"this template's stamp is damaged ({why}); write a new template with "
            "'povtrack template'",
        )
    )


def _stamp(rows: list[tuple[int, tuple[Any, ...]]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for _, values in rows:
        if len(values) >= 2 and not blank(values[0]):
            fields[cell_text(values[0]).strip()] = cell_text(values[1]).strip()
    if fields.get("format") != stamp.FORMAT:
        raise _damaged(tr("格式不明", "unknown format"))
    for key in (*stamp.FIELDS, stamp.DIGEST):
        if key not in fields:
            raise _damaged(tr(f"缺少 {key}", f"no {key}"))
    numbers = ("first_row", "last_row", "indicator_column", "input_column", "note_column")
    if not all(fields[k].isdigit() and 0 < int(fields[k]) <= 100_000 for k in numbers):
        raise _damaged(tr("行列位置有误", "bad row or column numbers"))
    return fields


def read_template(data: bytes, plan: Plan, plan_digest: str | None) -> TemplateRows:
    """The rows of a filled template; a UsageError (one line) when it is refused whole.
    ``plan_digest``: the database's plan digest (None: compare the plan id only)."""
    meta = xlsx_in.read_sheets(data, (stamp.STAMP_SHEET,))[0]
    fields = _stamp(meta.rows)
    if fields["plan"] != plan.id:
        raise UsageError(
            tr(
                f"这是计划 {fields['plan']} 的填报模板，不是本数据库的计划 {plan.id}；"
                f"请用本数据库生成的模板填报（{_again(fields)}）",
                f"a template for plan {fields['plan']}, not this database's plan {plan.id}; "
                f"fill in a template written from this database ({_again(fields)})",
            )
        )
    if plan_digest is not None and fields["plan_sha256"] != plan_digest:
        raise UsageError(
            tr(
                f"这是计划 {plan.id} 另一版本的填报模板（计划摘要不同）；"
                f"请用本数据库重新生成模板（{_again(fields)}）",
                f"a template for another version of plan {plan.id} (its plan digest differs); "
                f"write a new template from this database ({_again(fields)})",
            )
        )
    if fields["area"] not in plan.areas_by_id:
        raise _damaged(tr(f"未知地区 {fields['area']}", f"unknown area {fields['area']}"))
    try:
        sunday = parse_week(fields["week"])
    except UsageError:
        raise _damaged(tr(f"周次 {fields['week']} 有误", f"bad week {fields['week']}")) from None
    first, last = int(fields["first_row"]), int(fields["last_row"])
    indicators = [i for i in fields["indicators"].split(",") if i]
    if len(indicators) != last - first + 1:
        raise _damaged(tr("指标数与行数不符", "the indicators do not match the rows"))
    try:
        sheet = xlsx_in.read_sheets(data, (fields["sheet"],))[0]
    except UsageError:
        raise _damaged(
            tr(f"找不到工作表 {fields['sheet']}", f"no sheet {fields['sheet']}")
        ) from None
    cells = {number: values for number, values in sheet.rows}
    locked = [
        (number, col, value)
        for number, values in sheet.rows
        for col, value in enumerate(values, start=1)
        if not stamp.is_input(fields, number, col)
    ]
    if stamp.digest(fields, locked) != fields[stamp.DIGEST]:
        raise UsageError(_edited(fields, cells, indicators))
    return _rows(data, fields, cells, indicators, sunday)


def _edited(fields: dict[str, str], cells: dict[int, tuple[Any, ...]], ids: list[str]) -> str:
    """The refusal of a template whose locked cells changed, naming an edited id if one was."""
    where = ""
    first, col = int(fields["first_row"]), int(fields["indicator_column"])
    for number, wanted in enumerate(ids, start=first):
        values = cells.get(number, ())
        now = cell_text(values[col - 1]).strip() if col <= len(values) else ""
        if now != wanted:
            letter = chr(64 + col) if col <= 26 else str(col)
            where = tr(
                f"：{letter}{number} 原为 {wanted}，现为 '{now}'",
                f": {letter}{number} was {wanted}, now '{now}'",
            )
            break
    return tr(
        f"填报模板的锁定单元格被改动{where}；只能填写黄色的填报和备注单元格。"
        f"请重新生成模板（{_again(fields)}）并把数值填入",
        f"the template's locked cells were changed{where}; only the yellow input and note "
        f"cells may be filled in. Write a new template ({_again(fields)}) and fill that in",
    )


def _rows(
    data: bytes,
    fields: dict[str, str],
    cells: dict[int, tuple[Any, ...]],
    ids: list[str],
    sunday: Any,
) -> TemplateRows:
    first = int(fields["first_row"])
    value_col, note_col = int(fields["input_column"]), int(fields["note_column"])
    ind_col = int(fields["indicator_column"])
    out = TemplateRows(fields["sheet"], fields["area"], fields["week"])

    def at(values: tuple[Any, ...], col: int) -> Any:
        return values[col - 1] if col <= len(values) else None

    empty = {(first + k, value_col) for k in range(len(ids))}
    empty -= {(n, value_col) for n in cells if not blank(at(cells[n], value_col))}
    unsaved = (
        xlsx_in.formula_cells(
            data, fields["sheet"], lambda r, c: (r, c) in empty, max(r for r, _ in empty)
        )
        if empty
        else set()
    )
    out.unsaved = unsaved
    for number, ind_id in enumerate(ids, start=first):
        values = cells.get(number, ())
        value, note = at(values, value_col), at(values, note_col)
        if blank(value) and (number, value_col) not in unsaved:
            if not blank(note):
                letter = chr(64 + value_col) if value_col <= 26 else str(value_col)
                out.problems.append(
                    (
                        number,
                        note_col,
                        tr(
                            f"有备注但没有数值：请在 {letter}{number} 填写数值，或删去备注"
                            "（未报的数值留空，不记为0）",
                            f"a note without a value: fill in {letter}{number}, or clear the "
                            "note (a value not reported is left out, never taken as 0)",
                        ),
                    )
                )
            continue
        out.rows.append(
            (
                number,
                {
                    "date": (1, sunday),
                    "area": (1, fields["area"]),
                    "indicator": (ind_col, ind_id),
                    "value": (value_col, None if blank(value) else value),
                    "note": (note_col, note),
                },
            )
        )
    return out


class _File(Protocol):
    """The return file a template's rows go to (``reader.ReturnFile``)."""

    path: Any
    name: str
    sheet: str | None
    rows: list[dict[str, Any]]


def take_template(rf: _File, data: bytes, batch: Batch, digest: str | None) -> list[str]:
    """A filled ``povtrack template``: its rows checked and taken as any return's rows."""
    try:
        read = read_template(data, batch.names.plan, digest)
    except UsageError as exc:
        return [f"{rf.path}: {exc.message}"]
    rf.sheet = read.title
    problems = [f"{rf.name}:{line}:{col}: {why}" for line, col, why in read.problems]
    for line, cells in read.rows:
        problems += take_row(rf, line, cells, batch, read.unsaved)
    if not read.rows and not problems:
        area = batch.names.plan.area(read.area)
        problems.append(
            f"{rf.name}: "
            + tr(
                f"{area.name} {read.week} 的填报模板没有填写任何数值（没有可导入的）",
                f"the template for {area.name_en}, {read.week} has no value filled in "
                "(nothing to import)",
            )
        )
    return problems
