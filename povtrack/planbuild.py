"""A plan document (TOML's, or a database's kept copy of it) built into a ``model.Plan``,
section by section, with every cross-reference checked: areas and their parents, groups and
their members, indicators and their targets, allocations and rules. Each problem is one
PlanError naming the key path (``planfields.Fields``)."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from povtrack import planshape
from povtrack.i18n import tr
from povtrack.model import (
    AREA_KINDS,
    CHECK_IDS,
    INDICATOR_KINDS,
    LEVELS,
    REPORTING,
    RULE_KINDS,
    SEVERITIES,
    UNITS,
    Allocation,
    Area,
    DueRule,
    Group,
    Indicator,
    Plan,
    Rule,
    TargetSpec,
    Task,
    as_written,
)
from povtrack.planfields import RULE_KEYS, Fields, did_you_mean


class PlanBuilder(Fields):
    def plan(self, data: dict[str, Any]) -> Plan:
        sections = ("plan", "areas", "groups", "tasks", "indicators", "allocations", "rules")
        for k in data:
            if k not in sections:
                close = difflib.get_close_matches(k, sections, n=1)
                hint = did_you_mean(close)
                raise self.fail(k, tr(f"未知的表{hint}", f"unknown table{hint}"))
        p = self.table(data.get("plan"), "plan", "plan")
        start = self.day(p, "start", "plan")
        due = self.day(p, "due", "plan")
        if due <= start:
            raise self.fail("plan.due", tr("应晚于 plan.start", "must be after plan.start"))
        areas = [self.area(a, f"areas[{n}]") for n, a in enumerate(self.tables(data, "areas"))]
        self.unique([a.id for a in areas], "areas")
        area_ids = {a.id for a in areas}
        for n, a in enumerate(areas):
            if a.parent is not None and a.parent not in area_ids:
                raise self.fail(
                    f"areas[{n}].parent",
                    tr(f"未知地区“{a.parent}”", f"unknown area '{a.parent}'"),
                )
        roots = [a.id for a in areas if a.parent is None]
        if len(roots) != 1:
            raise self.fail(
                "areas",
                tr(
                    f"应恰有一个地区没有上级，实有 {roots} 个",
                    f"exactly one area must have no parent, found {roots}",
                ),
            )
        planshape.check_tree([(a.id, a.parent) for a in areas], self.fail)
        groups = [
            self.group(g, f"groups[{n}]", area_ids)
            for n, g in enumerate(self.tables(data, "groups", required=False))
        ]
        parent_of = {a.id: a.parent for a in areas}
        for n, g in enumerate(groups):
            planshape.check_members(list(g.members), f"groups[{n}].members", parent_of, self.fail)
        self.unique([g.id for g in groups], "groups")
        for n, g in enumerate(groups):
            if g.id in area_ids:
                raise self.fail(
                    f"groups[{n}].id",
                    tr(
                        f"编号“{g.id}”重复：已是一个地区的编号",
                        f"duplicate id '{g.id}': already an area id",
                    ),
                )
        tasks = [self.task(t, f"tasks[{n}]") for n, t in enumerate(self.tables(data, "tasks"))]
        self.unique([t.number for t in tasks], "tasks")
        scopes = area_ids | {g.id for g in groups}
        ctx = (start, due, {t.number for t in tasks}, scopes, {g.id for g in groups})
        raw = self.tables(data, "indicators")
        indicators = [self.indicator(i, f"indicators[{n}]", *ctx) for n, i in enumerate(raw)]
        self.unique([i.id for i in indicators], "indicators")
        self.check_ratios(indicators)
        self.check_rate_scopes(indicators, {g.id for g in groups})
        planshape.check_target_rows(indicators, {g.id: len(g.members) for g in groups}, self.fail)
        allocations = [
            self.allocation(a, f"allocations[{n}]", {i.id for i in indicators}, area_ids)
            for n, a in enumerate(self.tables(data, "allocations", required=False))
        ]
        for n, alloc in enumerate(allocations):
            if alloc.due is not None and alloc.due <= start:  # as for targets: a day at least
                raise self.fail(
                    f"allocations[{n}].due", tr("应晚于 plan.start", "must be after plan.start")
                )
        by_id = {i.id: i for i in indicators}
        rules = [
            self.rule(r, f"rules[{n}]", by_id)
            for n, r in enumerate(self.tables(data, "rules", required=False))
        ]
        self.unique([r.id for r in rules], "rules")
        return Plan(
            id=self.slug(p, "id", "plan"),
            name=self.text(p, "name", "plan"),
            name_en=self.text(p, "name_en", "plan"),
            start=start,
            due=due,
            source=self.text(p, "source", "plan", default=""),
            areas=tuple(areas),
            groups=tuple(groups),
            tasks=tuple(sorted(tasks, key=lambda t: t.number)),
            indicators=tuple(indicators),
            allocations=tuple(allocations),
            rules=tuple(rules),
        )

    def area(self, raw: Any, key: str) -> Area:
        a = self.table(raw, key, "areas")
        aliases = a.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(x, str) for x in aliases):
            raise self.fail(f"{key}.aliases", tr("应为字符串列表", "must be a list of strings"))
        parent = a.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise self.fail(f"{key}.parent", tr("应为地区编号", "must be an area id"))
        return Area(
            id=self.slug(a, "id", key),
            name=self.text(a, "name", key),
            name_hant=self.text(a, "name_hant", key),
            name_en=self.text(a, "name_en", key),
            kind=self.choice(a, "kind", key, AREA_KINDS),
            parent=parent,
            aliases=tuple(aliases),
        )

    def group(self, raw: Any, key: str, area_ids: set[str]) -> Group:
        g = self.table(raw, key, "groups")
        members = g["members"]
        if not isinstance(members, list) or not members:
            raise self.fail(
                f"{key}.members",
                tr("应为非空的地区编号列表", "must be a non-empty list of area ids"),
            )
        for m in members:
            if m not in area_ids:
                raise self.fail(f"{key}.members", tr(f"未知地区“{m}”", f"unknown area '{m}'"))
        return Group(
            id=self.slug(g, "id", key),
            name=self.text(g, "name", key),
            name_en=self.text(g, "name_en", key),
            members=tuple(members),
            name_hant=self.text(g, "name_hant", key, default=""),
            note=self.text(g, "note", key, default=""),
        )

    def task(self, raw: Any, key: str) -> Task:
        t = self.table(raw, key, "tasks")
        number = t["number"]
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise self.fail(
                f"{key}.number", tr("应为 0 或更大的整数", "must be a whole number, 0 or more")
            )
        return Task(number, self.text(t, "name", key), self.text(t, "name_en", key))

    def indicator(
        self,
        raw: Any,
        key: str,
        start: date,
        due: date,
        tasks: set[int],
        scopes: set[str],
        groups: set[str],
    ) -> Indicator:
        i = self.table(raw, key, "indicators")
        if i["task"] not in tasks:
            raise self.fail(
                f"{key}.task",
                tr(f"没有编号为 {i['task']!r} 的任务", f"no task numbered {i['task']!r}"),
            )
        unit = i["unit"]
        if unit not in UNITS:
            units = ", ".join(UNITS)
            raise self.fail(
                f"{key}.unit",
                tr(
                    f"未知单位 {unit!r}；请使用 {units} 之一",
                    f"unknown unit {unit!r}; use one of {units}",
                ),
            )
        kind = self.choice(i, "kind", key, INDICATOR_KINDS)
        raw_targets = i.get("targets", [])
        if kind == "activity" and raw_targets:
            raise self.fail(
                f"{key}.targets",
                tr("活动类指标没有数值目标", "an activity indicator has no numeric target"),
            )
        targets = [
            self.target(t, f"{key}.targets[{n}]", (start, due), scopes, groups)
            for n, t in enumerate(raw_targets)
        ]
        rules = []
        for n, r in enumerate(i.get("due_rules", [])):
            rk = f"{key}.due_rules[{n}]"
            r = self.table(r, rk, "due_rules")
            if r["group"] not in groups:
                raise self.fail(
                    f"{rk}.group", tr(f"未知组 {r['group']!r}", f"unknown group {r['group']!r}")
                )
            rule_due = self.day(r, "due", rk)
            if rule_due <= start:
                raise self.fail(f"{rk}.due", tr("应晚于 plan.start", "must be after plan.start"))
            rules.append(DueRule(r["group"], rule_due, r.get("citation", "")))
        return Indicator(
            id=self.slug(i, "id", key),
            task=i["task"],
            name=self.text(i, "name", key),
            name_en=self.text(i, "name_en", key),
            unit=unit,
            kind=kind,
            reporting=self.choice(i, "reporting", key, REPORTING),
            numerator=i.get("numerator"),
            denominator=i.get("denominator"),
            targets=tuple(targets),
            due_rules=tuple(rules),
            note=self.text(i, "note", key, default=""),
        )

    def target(
        self, raw: Any, key: str, window: tuple[date, date], scopes: set[str], groups: set[str]
    ) -> TargetSpec:
        t = self.table(raw, key, "targets")
        scope = t["scope"]
        if scope not in scopes:
            close = difflib.get_close_matches(str(scope), sorted(scopes), n=1)
            hint = did_you_mean(close)
            raise self.fail(
                f"{key}.scope",
                tr(f"未知地区或组 {scope!r}{hint}", f"unknown area or group {scope!r}{hint}"),
            )
        each = t.get("each", False)
        if not isinstance(each, bool):
            raise self.fail(f"{key}.each", tr("应为 true 或 false", "must be true or false"))
        if each and scope not in groups:
            raise self.fail(
                f"{key}.each",
                tr(
                    f"'each' 需要以组为范围，而 {scope!r} 是一个地区",
                    f"'each' needs a group scope, and {scope!r} is an area",
                ),
            )
        start, default_due = window
        due = self.day(t, "due", key, default=default_due)
        if due <= start:
            raise self.fail(f"{key}.due", tr("应晚于 plan.start", "must be after plan.start"))
        value, fraction = as_written(self.exact_number(t, "value", key))
        return TargetSpec(
            scope=scope,
            value=value,
            fraction=fraction,
            due=due,
            level=self.choice(t, "level", key, LEVELS),
            citation=self.text(t, "citation", key, default=""),
            each=each,
        )

    def check_ratios(self, indicators: list[Indicator]) -> None:
        by_id = {i.id: i for i in indicators}
        for n, ind in enumerate(indicators):
            key = f"indicators[{n}]"
            if ind.kind != "ratio":
                if ind.numerator or ind.denominator:
                    raise self.fail(
                        f"{key}.numerator",
                        tr(
                            "只有比率类指标才有分子/分母（numerator/denominator）",
                            "only a ratio has numerator/denominator",
                        ),
                    )
                continue
            for part in ("numerator", "denominator"):
                ref = getattr(ind, part)
                if ref is None:
                    raise self.fail(
                        f"{key}.{part}", tr("比率类指标必须有此项", "a ratio needs one")
                    )
                if ref not in by_id or by_id[ref].kind != "quantity":
                    raise self.fail(
                        f"{key}.{part}",
                        tr(f"{ref!r} 不是数量类指标", f"{ref!r} is not a quantity indicator"),
                    )

    def check_rate_scopes(self, indicators: list[Indicator], groups: set[str]) -> None:
        """A rate the areas report themselves (unit percent, not a ratio) is never summed:
        a group has no rate of its own, so a target on a group in total could never be met."""
        for n, ind in enumerate(indicators):
            if ind.unit != "percent" or ind.kind == "ratio":
                continue
            for m, spec in enumerate(ind.targets):
                if spec.scope in groups and not spec.each:
                    raise self.fail(
                        f"indicators[{n}].targets[{m}].scope",
                        tr(
                            f"“{ind.id}”是由各地区自行填报的比率（单位 percent）：组没有自己的"
                            "比率；请写 each = true 表示每个成员的比率，或改为两个数量之比",
                            f"'{ind.id}' is a rate its areas report themselves (unit percent): a "
                            "group has no rate of its own; write each = true for each member's "
                            "rate, or make it a ratio of two quantities",
                        ),
                    )

    def allocation(
        self, raw: Any, key: str, indicator_ids: set[str], area_ids: set[str]
    ) -> Allocation:
        a = self.table(raw, key, "allocations")
        if a["indicator"] not in indicator_ids:
            raise self.fail(
                f"{key}.indicator",
                tr(f"未知指标 {a['indicator']!r}", f"unknown indicator {a['indicator']!r}"),
            )
        if a["area"] not in area_ids:
            raise self.fail(
                f"{key}.area", tr(f"未知地区 {a['area']!r}", f"unknown area {a['area']!r}")
            )
        due = self.day(a, "due", key) if "due" in a else None
        value, fraction = as_written(self.exact_number(a, "value", key))
        return Allocation(a["indicator"], a["area"], value, due, fraction=fraction)

    def rule(self, raw: Any, key: str, indicators: dict[str, Indicator]) -> Rule:
        """A [[rules]] table: "sum" (whole = Σ parts), "le" (left ≤ right) over indicators of
        one unit, or "check" (a built-in check's severity, "off" to silence it)."""
        r = self.table(raw, key, "rules")
        rule_id = self.slug(r, "id", key)
        kind = r["kind"]
        if kind not in RULE_KINDS:
            kinds = ", ".join(RULE_KINDS)
            raise self.fail(
                f"{key}.kind", tr(f"{kind!r} 不是 {kinds} 之一", f"{kind!r} is not one of {kinds}")
            )
        for k in r:
            if k not in {"id", "kind", "severity", "note"} | RULE_KEYS[kind]:
                raise self.fail(
                    f"{key}.{k}", tr(f"不是“{kind}”规则的键", f"not a key of a '{kind}' rule")
                )
        note = self.text(r, "note", key, default="")
        if kind == "check":
            if rule_id not in CHECK_IDS:
                close = difflib.get_close_matches(rule_id, CHECK_IDS, n=1)
                hint = did_you_mean(close)
                raise self.fail(
                    f"{key}.id",
                    tr(f"没有内置检查“{rule_id}”{hint}", f"no built-in check '{rule_id}'{hint}"),
                )
            if "severity" not in r:
                raise self.fail(
                    f"{key}.severity",
                    tr("缺少（error、warning 或 off）", "missing (error, warning or off)"),
                )
            severity = self.choice(r, "severity", key, (*SEVERITIES, "off"))
            listed = r.get("indicators", [])
            if not isinstance(listed, list):
                raise self.fail(
                    f"{key}.indicators",
                    tr("应为指标编号列表", "must be a list of indicator ids"),
                )
            for n, ref in enumerate(listed):
                self.rule_indicator(ref, f"{key}.indicators[{n}]", indicators, any_kind=True)
            return Rule(rule_id, kind, severity, indicators=tuple(listed), note=note)
        if rule_id in CHECK_IDS:
            raise self.fail(
                f"{key}.id",
                tr(
                    f"“{rule_id}”是内置检查的名称；请给规则另起名称",
                    f"'{rule_id}' is a built-in check; name the rule apart",
                ),
            )
        severity = self.choice(r, "severity", key, SEVERITIES)
        tolerance = self.exact_number(r, "tolerance", key) if "tolerance" in r else 0.0
        if kind == "sum":
            for k in ("whole", "parts"):
                if k not in r:
                    raise self.fail(f"{key}.{k}", tr("缺少", "missing"))
            parts = r["parts"]
            if not isinstance(parts, list) or not parts:
                raise self.fail(
                    f"{key}.parts",
                    tr("应为非空的指标编号列表", "must be a non-empty list of indicator ids"),
                )
            refs = {"whole": r["whole"], **{f"parts[{n}]": p for n, p in enumerate(parts)}}
        else:
            for k in ("left", "right"):
                if k not in r:
                    raise self.fail(f"{key}.{k}", tr("缺少", "missing"))
            refs = {"left": r["left"], "right": r["right"]}
        seen: set[str] = set()
        unit = None
        for where, ref in refs.items():
            ind = self.rule_indicator(ref, f"{key}.{where}", indicators, any_kind=False)
            if ref in seen:
                raise self.fail(
                    f"{key}.{where}",
                    tr(f"“{ref}”在本规则中出现了两次", f"'{ref}' is named twice in this rule"),
                )
            seen.add(ref)
            if unit is not None and ind.unit != unit:
                raise self.fail(
                    f"{key}.{where}",
                    tr(
                        f"“{ref}”的单位是 {ind.unit}，规则另一边的单位是 {unit}",
                        f"'{ref}' is in {ind.unit}, the rule's other side in {unit}",
                    ),
                )
            unit = ind.unit
        if kind == "sum":
            return Rule(
                rule_id,
                kind,
                severity,
                whole=r["whole"],
                parts=tuple(parts),
                tolerance=tolerance,
                note=note,
            )
        left, right = r["left"], r["right"]
        return Rule(rule_id, kind, severity, left=left, right=right, tolerance=tolerance, note=note)

    def rule_indicator(
        self, ref: Any, key: str, indicators: dict[str, Indicator], *, any_kind: bool
    ) -> Indicator:
        if not isinstance(ref, str) or ref not in indicators:
            close = difflib.get_close_matches(str(ref), sorted(indicators), n=1)
            hint = did_you_mean(close)
            raise self.fail(key, tr(f"未知指标 {ref!r}{hint}", f"unknown indicator {ref!r}{hint}"))
        ind = indicators[ref]
        if not any_kind and ind.kind == "ratio":
            raise self.fail(
                key,
                tr(
                    f"“{ref}”是比率；规则比较的是填报的数量",
                    f"'{ref}' is a ratio; a rule compares reported quantities",
                ),
            )
        return ind
