"""One row of a return checked, and taken when every cell is good.

``take_row`` takes a row of the long layout (one value a row); ``povtrack.returns.wide`` reads
a wide row's area, date and note with ``RowCells`` and then each of its values. Every problem
is one line ``FILE:LINE:COLUMN: why``; a cell that holds an Excel error value, or a formula
Excel never saved, is refused whatever its column. The same area, indicator and date twice in
one import is refused at the second. For users: docs/returns.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from povtrack.dates import check_in_window
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Indicator, Plan
from povtrack.names import reportable, resolve_area, resolve_indicator
from povtrack.returns.cells import cell_text, day_cell, note_text, value_cell, week_cell
from povtrack.returns.headers import unit_problem
from povtrack.returns.xlsx import EXCEL_ERRORS

# what a total row's area cell says: no area, the sum of the rows above it
TOTALS = ("合计", "合計", "总计", "總計", "小计", "小計", "total", "sum")


class Taken(Protocol):
    """Where a file's good rows go (``reader.ReturnFile``)."""

    name: str
    rows: list[dict[str, Any]]


class Names:
    """A week's returns repeat the same few names thousands of times: resolve each once.
    Failures are not kept, so every bad row still gets its own message."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._areas: dict[str, str] = {}
        self._indicators: dict[str, Indicator] = {}

    def area(self, text: str) -> str:
        if text not in self._areas:
            if text.strip().casefold() in TOTALS:
                raise UsageError(
                    tr(
                        f"'{text.strip()}' 是合计行，不是一个地区；请删掉这一行"
                        "（povtrack 自己按地区汇总）",
                        f"'{text.strip()}' is a total row, not an area; delete the row "
                        "(povtrack adds up the areas itself)",
                    )
                )
            self._areas[text] = resolve_area(self.plan, text)
        return self._areas[text]

    def indicator(self, text: str) -> Indicator:
        """An indicator a return may report (``names.reportable``: not a ratio)."""
        if text not in self._indicators:
            self._indicators[text] = reportable(self.plan, resolve_indicator(self.plan, text))
        return self._indicators[text]


class Batch:
    """What the files of one import share: the plan's names, the rows seen so far, and the
    layout asked for (None: recognised from each header)."""

    def __init__(
        self,
        plan: Plan,
        tick: Callable[[int], None] | None = None,
        layout: str | None = None,
    ) -> None:
        self.names = Names(plan)
        self.seen: dict[tuple[str, str, date], str] = {}
        self.tick = tick or (lambda n: None)  # one call per row read, for a progress bar
        self.layout = layout


class RowCells:
    """The cells of one row, each read by ``read``: a failure is kept as a problem line."""

    def __init__(
        self,
        cells: dict[str, tuple[int, Any]],
        where: str,
        line: int,
        unsaved: set[tuple[int, int]],
    ) -> None:
        self.cells, self.where, self.line, self.unsaved = cells, where, line, unsaved
        self.errs: list[str] = []

    def read(
        self, column: str, fn: Callable[[Any], Any], cell: tuple[int, Any] | None = None
    ) -> Any:
        col, value = cell if cell is not None else self.cells[column]
        try:
            if isinstance(value, str) and "#" in value and value.strip().upper() in EXCEL_ERRORS:
                code = value.strip().upper()
                raise UsageError(
                    tr(
                        f"{column} 单元格里是 Excel 错误值 {code}；请在报表里改正公式",
                        f"Excel error value {code} in the {column} cell; "
                        "fix the formula in the return",
                    )
                )
            if value is None and (self.line, col) in self.unsaved:
                raise UsageError(
                    tr(
                        f"{column} 单元格是公式，没有保存计算结果；请用 Excel 打开并保存这个文件，"
                        "再导入",
                        f"the {column} cell is a formula with no saved value; open the file in "
                        "Excel and save it, then import it again",
                    )
                )
            return fn(value)
        except UsageError as exc:
            self.errs.append(f"{self.where}:{col}: {exc.message}")
            return None

    def common(self, names: Names, plan: Plan) -> dict[str, Any]:
        """The row's note, date and area (what a wide row's values share)."""
        cells = self.cells
        out: dict[str, Any] = {"source": self.where}
        out["note"] = (
            self.read("note", lambda v: note_text(cell_text(v))) if "note" in cells else ""
        )
        when = "date" if "date" in cells else "week"
        day = self.read(when, day_cell if when == "date" else week_cell)
        if day is not None:
            try:
                out["date"] = check_in_window(day, plan.start, plan.last_due, when)
            except UsageError as exc:
                self.errs.append(f"{self.where}:{cells[when][0]}: {exc.message}")
        out["area"] = self.read("area", lambda v: names.area(cell_text(v)))
        return out


def take_row(
    rf: Taken,
    line: int,
    cells: dict[str, tuple[int, Any]],
    batch: Batch,
    unsaved: set[tuple[int, int]],
) -> list[str]:
    """Check one row; a good one is added to ``rf.rows``. Returns its problems."""
    batch.tick(1)
    where = f"{rf.name}:{line}"
    parsed, problems = parse_row(cells, batch.names, where, line, unsaved)
    if parsed is None:
        return problems
    return problems + keep(rf, parsed, cells["value"][0], batch)


def keep(rf: Taken, parsed: dict[str, Any], col: int, batch: Batch) -> list[str]:
    """Add a good row to ``rf.rows`` unless its area, indicator and date came before."""
    key = (parsed["indicator"], parsed["area"], parsed["date"])
    if key in batch.seen:
        earlier = batch.seen[key]
        return [
            f"{parsed['source']}:{col}: "
            + tr(
                f"{parsed['area']} {parsed['indicator']} {parsed['date']} 已经在 {earlier} 填过",
                f"{parsed['area']} {parsed['indicator']} {parsed['date']} is already given at "
                f"{earlier}",
            )
        ]
    batch.seen[key] = parsed["source"]
    rf.rows.append(parsed)
    return []


def parse_row(
    cells: dict[str, tuple[int, Any]],
    names: Names,
    where: str,
    line: int,
    unsaved: set[tuple[int, int]],
) -> tuple[dict[str, Any] | None, list[str]]:
    row = RowCells(cells, where, line, unsaved)
    out = row.common(names, names.plan)
    ind = row.read("indicator", lambda v: names.indicator(cell_text(v)))
    if ind is not None:
        out["indicator"] = ind.id
        out["value"] = row.read("value", lambda v: value_cell(v, ind))
        if "unit" in cells:
            row.read("unit", lambda v: _unit(cell_text(v), ind))
    if row.errs or None in (out.get("date"), out["area"], out.get("value")):
        return None, row.errs
    return out, row.errs


def _unit(text: str, ind: Indicator) -> None:
    why = unit_problem(text, ind)
    if why is not None:
        raise UsageError(why)
