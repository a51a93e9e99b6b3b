"""Finding areas, groups and indicators by the names people type.

An area is found by id, Simplified or Traditional name (with or without 市/县/縣/区/區), English
name (with or without City/County/District) or alias. Any other name typed in Traditional
characters (an indicator's, a group's) is also tried in Simplified. A name that fits two areas
(大同: the city or the former county?) is an error listing both; an unknown one gets "did you
mean". For users: docs/commands.md.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Indicator, Plan
from povtrack.textsafe import shown

_ZH_SUFFIX = re.compile(r"(市|县|縣|区|區)$")
_EN_SUFFIX = re.compile(r"\s+(city|county|district)$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _bare(text: str) -> str:
    text = _norm(text)
    return _EN_SUFFIX.sub("", _ZH_SUFFIX.sub("", text)) or text


def _suggest(text: str, options: list[str]) -> str:
    close = difflib.get_close_matches(_norm(text), options, n=3, cutoff=0.5)
    if not close:
        return ""
    listed = ", ".join(repr(c) for c in close)
    return tr(f"；是不是指 {listed}？", f"; did you mean {listed}?")


def _scope_names(plan: Plan) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for a in plan.areas:
        names[a.id] = [a.id, a.name, a.name_hant, a.name_en, *a.aliases]
    for g in plan.groups:
        names[g.id] = [g.id, g.name, g.name_en, *([g.name_hant] if g.name_hant else [])]
    return names


def _to_simplified(text: str) -> str:
    """Traditional -> Simplified characters; loaded only when a Traditional name is typed."""
    from opencc_purepy import OpenCC

    return OpenCC("t2s").convert(text)


def _find(text: str, names: dict[str, list[str]], what: str) -> str | None:
    for fold in (_norm, _bare):
        hits = sorted({key for key, ns in names.items() if fold(text) in {fold(n) for n in ns}})
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = ", ".join(f"{h} ({names[h][1]})" for h in hits)
            raise UsageError(
                tr(
                    f"{what}“{text}”有歧义：可能是 {listed}",
                    f"{what} '{text}' is ambiguous: it could be {listed}",
                )
            )
    return None


def _lookup(plan: Plan, text: str, names: dict[str, list[str]], what: str) -> str:
    hidden = sorted({ch for ch in text if unicodedata.category(ch) == "Cf"})
    if hidden:  # a zero-width space looks like nothing: name it, or "did you mean" puzzles
        codes = ", ".join(
            f"U+{ord(c):04X} {unicodedata.name(c, 'FORMAT CHARACTER')}" for c in hidden
        )
        raise UsageError(
            tr(
                f"{what}名称“{shown(text)}”含有看不见的字符（{codes}）；请删去后重新输入名称",
                f"{what} name '{shown(text)}' contains an invisible character ({codes}); "
                "delete it and type the name again",
            )
        )
    wanted = _norm(text)
    if not wanted:
        raise UsageError(tr(f"{what}名称为空", f"empty {what} name"))
    if wanted in names:  # an id always wins
        return wanted
    found = _find(text, names, what)
    if found is None and _CJK.search(text):
        simplified = _to_simplified(text)
        if simplified != text:
            found = _find(simplified, names, what)
    if found is not None:
        return found
    options = sorted({_norm(n) for ns in names.values() for n in ns})
    hint = _suggest(text[:100], options)
    raise UsageError(
        tr(f"未知{what}“{shown(text)}”{hint}", f"unknown {what} '{shown(text)}'{hint}")
    )


def resolve_area(plan: Plan, text: str) -> str:
    names = {k: v for k, v in _scope_names(plan).items() if k in plan.areas_by_id}
    return _lookup(plan, text, names, tr("地区", "area"))


def resolve_scope(plan: Plan, text: str) -> str:
    """An area or a group."""
    return _lookup(plan, text, _scope_names(plan), tr("地区或组", "area or group"))


def resolve_indicator(plan: Plan, text: str) -> Indicator:
    names = {i.id: [i.id, i.name, i.name_en] for i in plan.indicators}
    return plan.indicator(_lookup(plan, text, names, tr("指标", "indicator")))


def reportable(plan: Plan, ind: Indicator) -> Indicator:
    """An indicator a value may be recorded or imported for: not a ratio, which is worked out
    from its numerator and denominator and would never count a value of its own."""
    if ind.kind != "ratio":
        return ind
    assert ind.numerator and ind.denominator
    num, den = plan.indicator(ind.numerator), plan.indicator(ind.denominator)

    def named(i: Indicator) -> str:
        return f"{i.id} ({i.name}, {i.name_en})"

    raise UsageError(
        tr(
            f"{named(ind)} 是比率，由另外两个指标算出，不能单独填报数值："
            f"请改为填报分子 {named(num)} 和分母 {named(den)}",
            f"{named(ind)} is a ratio, worked out from two other indicators, and takes no value of "
            f"its own: report its numerator {named(num)} and its denominator {named(den)} instead",
        )
    )


def scope_names(plan: Plan, scope: str) -> tuple[str, str]:
    """An area's or a group's names, Chinese and English."""
    if plan.is_group(scope):
        g = plan.group(scope)
        return g.name, g.name_en
    a = plan.area(scope)
    return a.name, a.name_en


# ---------------------------------------------------------------- completion candidates
# What a name being typed may become, for shell completion: (word, description) pairs whose
# word starts with what was typed. Chinese typed, Chinese names offered (Simplified or
# Traditional, as typed); Latin letters, ids; nothing typed yet, the names in Chinese or the ids
# in English. A word with a space in it is never offered: a shell would insert it unquoted.


def _offer(pairs: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for word, about in pairs:
        if word.startswith(incomplete) and not any(ch.isspace() for ch in word):
            seen.setdefault(word, about)
    return list(seen.items())


def indicator_candidates(plan: Plan, incomplete: str, lang: str) -> list[tuple[str, str]]:
    """Indicator ids or names for ``incomplete``, each described by its other name and unit."""
    by_name = bool(_CJK.search(incomplete)) or (not incomplete and lang == "zh")
    pairs = []
    for i in plan.indicators:
        if by_name:
            pairs.append((i.name, f"{i.id} ({i.unit})"))
        else:
            pairs.append((i.id, f"{i.name if lang == 'zh' else i.name_en} ({i.unit})"))
    return _offer(pairs, incomplete)


def scope_candidates(
    plan: Plan, incomplete: str, lang: str, *, groups: bool = True
) -> list[tuple[str, str]]:
    """Area (and group) ids or names for ``incomplete``, each described by its other name."""
    by_name = bool(_CJK.search(incomplete)) or (not incomplete and lang == "zh")
    pairs: list[tuple[str, str]] = []
    for key, names in _scope_names(plan).items():
        if not groups and key not in plan.areas_by_id:
            continue
        zh, en = scope_names(plan, key)
        if by_name:
            pairs += [(n, key) for n in names[1:] if _CJK.search(n)]
        else:
            pairs.append((key, zh if lang == "zh" else en))
    return _offer(pairs, incomplete)
