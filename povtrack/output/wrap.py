"""Labels wrapped by display width for the report's charts (``report_html``'s SVG,
``report_md``'s text chart): a Chinese character takes two columns, a line breaks at a space or
between two Chinese characters, never inside a Latin word or a number; a label too long for
its lines ends with "…" (or another mark) after a whole word. Pure."""

from __future__ import annotations

import re

from povtrack.output.notation import display_width

_TOKENS = re.compile(r"\s+|[\x21-\x7e\u00c0-\u024f]+|.", re.S)


def wrap_label(text: str, units: int, lines: int = 2, more: str = "…") -> list[str]:
    """The label on at most ``lines`` lines of at most ``units`` display columns: broken at
    spaces or between Chinese characters, never inside a Latin word or number; what does not
    fit ends with ``more`` after a whole word."""
    out: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if display_width(line + token) <= units:
            line += token
            continue
        if line.strip():
            out.append(line.rstrip())
        line = token
        if len(out) == lines:
            break
    else:
        if line.strip():
            out.append(line.rstrip())
        return out
    # too long: the last line keeps whole words and gets an ellipsis
    last = out[lines - 1]
    while last and display_width(last + more) > units:
        cut = _TOKENS.findall(last)[:-1]
        last = "".join(cut).rstrip()
    return [*out[: lines - 1], last + more]
