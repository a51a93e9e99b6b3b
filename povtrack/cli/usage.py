"""The command-line parser's own usage errors (Click's and Typer's: a misspelt command or
option, a missing argument, a value that is no number) in the language of the command.

Click and Typer write these in English only. In English they are shown exactly as the parser
words them; in Chinese, the common ones are recognised by their wording and said again in
Chinese, with the names, values and options they quote kept as they were typed. One the table
below does not know stays in English rather than be guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from povtrack.i18n import current_lang

Match = re.Match[str]

# (pattern of the whole English message, its Chinese)
_WHOLE: list[tuple[re.Pattern[str], Callable[[Match], str]]] = [
    (re.compile(r"No such command '(.+?)'\.?(.*)", re.S), lambda m: f"没有命令“{m[1]}”{m[2]}"),
    (
        re.compile(r"No such option:? '?(.+?)'?\.?( .*)?", re.S),
        lambda m: f"没有选项 {m[1]}{m[2] or ''}",
    ),
    (re.compile(r"Option '(.+?)' requires an argument\."), lambda m: f"选项 '{m[1]}' 后面缺少值"),
    (
        re.compile(r"Option '(.+?)' requires (\d+) arguments\."),
        lambda m: f"选项 '{m[1]}' 后面需要 {m[2]} 个值",
    ),
    (re.compile(r"Option '(.+?)' does not take a value\."), lambda m: f"选项 '{m[1]}' 不接受值"),
    (re.compile(r"Missing argument '(.+?)'\.(.*)", re.S), lambda m: f"缺少参数 '{m[1]}'{m[2]}"),
    (re.compile(r"Missing option '(.+?)'\.(.*)", re.S), lambda m: f"缺少选项 '{m[1]}'{m[2]}"),
    (re.compile(r"Missing parameter:? '?(.+?)'?\.?"), lambda m: f"缺少参数 {m[1]}"),
    (re.compile(r"Missing command\."), lambda m: "缺少命令"),
    (
        re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)", re.S),
        lambda m: f"多余的参数（{m[1]}）",
    ),
    (
        re.compile(r"Invalid value for (.+?)(?: \(env var: '(.+?)'\))?: (.*)", re.S),
        lambda m: f"{m[1]}{_env(m[2])}的值无效：{_value_problem(m[3])}",
    ),
    (re.compile(r"Invalid value: (.*)", re.S), lambda m: f"值无效：{_value_problem(m[1])}"),
]

# what is wrong with a value (pydantic's words, as Typer passes them on, and Click's)
_VALUE: list[tuple[re.Pattern[str], Callable[[Match], str]]] = [
    (re.compile(r"Input should be a valid number.*", re.S), lambda m: "应为数字"),
    (re.compile(r"Input should be a valid integer.*", re.S), lambda m: "应为整数"),
    (re.compile(r"Input should be a finite number.*", re.S), lambda m: "应为有限的数字"),
    (
        re.compile(r"Input should be greater than or equal to (\S+)"),
        lambda m: f"应大于或等于 {m[1]}",
    ),
    (re.compile(r"Input should be less than or equal to (\S+)"), lambda m: f"应小于或等于 {m[1]}"),
    (re.compile(r"Input should be greater than (\S+)"), lambda m: f"应大于 {m[1]}"),
    (re.compile(r"Input should be less than (\S+)"), lambda m: f"应小于 {m[1]}"),
    (
        re.compile(r"'(.*)' is not a valid integer( range)?\.", re.S),
        lambda m: f"“{m[1]}”不是有效的整数",
    ),
    (
        re.compile(r"'(.*)' is not a valid float( range)?\.", re.S),
        lambda m: f"“{m[1]}”不是有效的数字",
    ),
    (
        re.compile(r"(.+) is not in the range (.+)\.", re.S),
        lambda m: f"{m[1]} 不在 {m[2]} 范围内",
    ),
    (re.compile(r"'(.*)' is not one of (.+)\.", re.S), lambda m: f"“{m[1]}”不是 {m[2]} 之一"),
    (re.compile(r"(?:File|Path|Directory) '(.+?)' does not exist\."), lambda m: f"“{m[1]}”不存在"),
    (re.compile(r"(?:File|Path|Directory) '(.+?)' is not readable\."), lambda m: f"“{m[1]}”不可读"),
    (re.compile(r"(?:File|Path) '(.+?)' is a directory\."), lambda m: f"“{m[1]}”是文件夹"),
]

_MAYBE = [
    (
        re.compile(r"\s*\(?Did you mean one of:? (.+?)\?\)?"),
        lambda m: f"（是不是指其中之一：{m[1]}？）",
    ),
    (re.compile(r"\s*\(?Did you mean (.+?)\?\)?"), lambda m: f"（是不是指 {m[1]}？）"),
    (re.compile(r"\s*\(Possible options: (.+?)\)"), lambda m: f"（可能的选项：{m[1]}）"),
]


def _env(var: str | None) -> str:
    return f"（环境变量 {var}）" if var else " "


def _value_problem(text: str) -> str:
    for pattern, say in _VALUE:
        m = pattern.fullmatch(text.strip())
        if m:
            return say(m)
    return text


def _maybe(text: str) -> str:
    """The parser's "did you mean" after a message, in Chinese."""
    for pattern, say in _MAYBE:
        text = pattern.sub(say, text)
    return text.strip()


def usage_message(english: str) -> str:
    """A usage error of the parser, in the command's language (English: as it is)."""
    if current_lang() != "zh":
        return english
    for pattern, say in _WHOLE:
        m = pattern.fullmatch(english.strip())
        if m:
            return _maybe(say(m))
    return english
