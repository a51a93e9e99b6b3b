"""Terminal control characters (C0, DEL, C1 and the bidirectional overrides): refused in what
users type, and shown escaped (``\\x1b``, ``\\u202e``) wherever text reaches a screen. For users:
docs/commands.md, "Text on screen"."""

from __future__ import annotations

import re

from povtrack.errors import UsageError
from povtrack.i18n import tr

_BIDI = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides and isolates: text read backwards
_CONTROLS = f"\x00-\x1f\x7f-\x9f{_BIDI}"
_ANY = re.compile(f"[{_CONTROLS}]")
_ALL_BUT_TAB = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}]")


def code(ch: str) -> str:
    """``U+001B``: how a message names a character."""
    return f"U+{ord(ch):04X}"


def first_control(text: str, allow: str = "") -> tuple[int, str] | None:
    """The 1-based position and the character of the first control character not in
    ``allow``; None when there is none."""
    for m in _ANY.finditer(text):
        if m.group() not in allow:
            return m.start() + 1, m.group()
    return None


def refuse_controls(text: str, what: str, *, allow: str = "") -> str:
    """``text`` as given, or a UsageError naming ``what`` (the option) and the position of the
    first control character not in ``allow`` (a note may keep tabs and line breaks)."""
    found = first_control(text, allow)
    if found is not None:
        position, ch = found
        raise UsageError(
            tr(
                f"{what}：第{position}个字符是控制字符 {code(ch)}；不接受终端控制字符和转义序列",
                f"{what}: control character {code(ch)} at position {position}; terminal control "
                "characters and escape sequences are not accepted",
            )
        )
    return text


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(m: re.Match[str]) -> str:
    if m.group() in _NAMED:
        return _NAMED[m.group()]
    n = ord(m.group())
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def escape(text: str, *, keep_tab: bool = False) -> str:
    """``text`` with every control character written out (``\\x1b``, ``\\n``, ``\\u202e``), so a
    terminal shows it instead of obeying it; ``keep_tab``: tabs pass (one-line messages)."""
    pattern = _ALL_BUT_TAB if keep_tab else _ANY
    if pattern.search(text) is None:
        return text
    return pattern.sub(_visible, text)


def shown(text: str, limit: int = 40) -> str:
    """As much of a cell as a one-line message should echo; line breaks shown as \\n."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
