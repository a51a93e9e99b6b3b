"""Is a word or number broken across lines in a printed page? For the HTML print tests.

``latin_words`` takes the Latin words and numbers out of a text: runs of printable ASCII
(``27/50%``, ``2018-12-31``, ``goals.people_exited``, ``Progress``), split where a line may
honestly break (at spaces, and after a hyphen between two letters, "farm-/produce"), without
surrounding brackets and punctuation. ``broken_words`` reads the printed PDF's text line by
line (pypdf) and finds every line break that cuts one of the page's own words: the end of one
line and the start of the next join into a word of the HTML while the two pieces are not both
words of it ("Progres"+"s", "27/50"+"%", "pingch"+"eng"). ``missing_words`` lists the HTML's
words that appear whole nowhere in the PDF (a word broken wherever it is printed). Two cells of
one row that stand side by side print on one line, so a join of two different cells is not
taken for a break unless it happens to spell another word of the page; the check is
conservative that way.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

from tests.helpers.render import pdf_pages

_EDGE = "()[]{},;:.!?\"'"
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z]-)(?=[A-Za-z])")


def latin_words(text: str) -> list[str]:
    out = []
    for chunk in unicodedata.normalize("NFKC", text).split():
        for run in re.findall(r"[\x21-\x7e]+", chunk):
            for piece in _HYPHEN_BREAK.split(run):
                piece = piece.strip(_EDGE)
                if re.search(r"[A-Za-z0-9]", piece):
                    out.append(piece)
    return out


class _Visible(HTMLParser):
    """The text a reader sees: everything but the style sheet and the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def html_words(html: str) -> set[str]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return set(latin_words("\n".join(parser.parts)))


def _pdf_lines(pdf: Path) -> list[tuple[int, list[str]]]:
    return [
        (page.number, unicodedata.normalize("NFKC", page.text).splitlines())
        for page in pdf_pages(pdf)
    ]


def broken_words(html: str, pdf: Path) -> list[tuple[int, str, str]]:
    """(page, end of a line, start of the next) for every break inside one of the words."""
    vocab = html_words(html)
    found = []
    for number, lines in _pdf_lines(pdf):
        for upper, lower in itertools.pairwise(lines):
            tail = re.search(r"[\x21-\x7e]+$", upper.rstrip())
            head = re.match(r"[\x21-\x7e]+", lower.lstrip())
            if not tail or not head:
                continue
            a, b = tail.group(0), head.group(0)
            if not a.strip(_EDGE) or not b.strip(_EDGE):
                continue  # a line ending or starting with a bracket or a comma: no word cut
            joined = latin_words(a + b)
            if len(joined) != 1 or joined[0] not in vocab:
                continue
            pieces_a, pieces_b = latin_words(a), latin_words(b)
            if pieces_a and pieces_b and pieces_a[-1] in vocab and pieces_b[0] in vocab:
                continue  # two words of the page side by side (e.g. two cells)
            found.append((number, a, b))
    return found


def missing_words(html: str, pdf: Path) -> set[str]:
    printed: set[str] = set()
    for _, lines in _pdf_lines(pdf):
        for line in lines:
            printed.update(latin_words(line))
    return html_words(html) - printed
