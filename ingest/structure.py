"""Finding structure: body lines -> paragraphs, each knowing its numbering marker and its headings.

Every numbering style keeps its own level while it is active (`一、` › `（一）` › `1.` › `（1）`), so a
document may use several at once. A marker opens a heading only when it continues the numbering
seen so far (next number, or 1 for a new level); otherwise it is text (`按照第三条规定` wrapped to
a line start). A line that continues an unfinished sentence is joined to its paragraph, as is a
`（责任单位：…）` stranded after a page break. A heading glued to the end of the previous paragraph
(`…（责任单位：市发改局）（三）保障措施。`) is split off. Numbering that restarts at 1 with no heading
in between means a heading was lost: the new run gets its own (inferred) heading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.markers import STYLE_ARABIC_COMMA, STYLE_ARABIC_DOT, STYLE_ARABIC_PAREN, STYLE_CIRCLED, Marker, find_marker
from ingest.responsibility import UNITS_OPENING

_TERMINAL = ("。", "！", "？", "；", "!", "?", ";", "）", ")", "：", ":", "…")
_GLUED_HEADING = re.compile(
    r"(?<=[)）。])\s*(?=[（(][零〇一二两三四五六七八九十百]{1,4}[)）])"
    r"|(?<=[)）])\s*(?=[零〇一二两三四五六七八九十百]{1,3}、)"
)
_LEAD_NOTE = re.compile(r"[（(]\s*由[^()（）]{1,40}牵头[^()（）]{0,6}[)）]")
_GLOSSARY = re.compile(r"^(?:附[:：]?\s*)?名词解释[:：]?$")
_CLOSING = re.compile(r"^(?:落实)?(?:上述|以上|本(?:文件|通知|政策|方案|办法|意见|规定|细则|措施))")
_ARABIC = (STYLE_ARABIC_DOT, STYLE_ARABIC_PAREN, STYLE_ARABIC_COMMA, STYLE_CIRCLED)
_CN_NUMERALS = "零一二三四五六七八九"
MAX_GAP = 2  # a numbering may skip one number (a typo in the source) and still be a heading


class Paragraph:
    """One paragraph of the body: raw text (repaired later), its marker and the headings above it.

    Lines are added with `extend`; the text is joined when read, and the checks the parser makes on
    every new line (its last line, its length, its parenthesis balance) are kept up to date as it
    grows, so building a paragraph of n lines is linear, however long it gets.
    """

    def __init__(self, text: str, marker: Marker | None = None, ancestors: list[Paragraph] | None = None,
                 glossary: bool = False, inferred: bool = False) -> None:
        self.marker = marker
        self.ancestors: list[Paragraph] = ancestors if ancestors is not None else []
        self.glossary = glossary
        self.inferred = inferred  # a heading lost in extraction, reconstructed from a numbering restart
        self.children = 0
        self._pieces = [text]
        self._joined: str | None = text
        self.length = len(text)
        self.open_parens = _paren_balance(text)

    @property
    def text(self) -> str:
        if self._joined is None:
            self._joined = "".join(self._pieces)
            self._pieces = [self._joined]
        return self._joined

    @property
    def last_line(self) -> str:
        return self._pieces[-1]

    def extend(self, line: str) -> None:
        """Add a line of the same sentence (a space only between two Latin words)."""
        end = self.last_line[-1:] if self.last_line else ""
        if end.isascii() and end.isalnum() and line[:1].isascii() and line[:1].isalpha():
            line = " " + line
        self._pieces.append(line)
        self._joined = None
        self.length += len(line)
        self.open_parens += _paren_balance(line)

    @property
    def heading_only(self) -> bool:
        """A marker followed by one short phrase: `（三）保障措施。`, `一、2022年主要工作回顾`."""
        if self.marker is None:
            return False
        if self.length - self.marker.length > _HEADING_MAX_RAW:
            return False  # too long to be a heading whatever lead notes it holds: no need to read it
        rest = _LEAD_NOTE.sub("", self.text[self.marker.length:]).strip()
        phrase = rest.rstrip("。.")
        # a comma in an unfinished phrase means a sentence broken by a line end, not a heading
        return len(phrase) <= 40 and "。" not in phrase and (rest != phrase or not re.search("[，,]", phrase))


# A heading's phrase is at most 40 characters; with a few lead notes "（由…牵头实施）" beside it, a
# paragraph longer than this cannot be one.
_HEADING_MAX_RAW = 400


def _paren_balance(text: str) -> int:
    return text.count("(") + text.count("（") - text.count(")") - text.count("）")


@dataclass
class _Level:
    opener: Paragraph
    marker: Marker


def _format_number(style: str, value: int) -> str:
    if style in _ARABIC:
        return str(value)
    if value < 10:
        return _CN_NUMERALS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else _CN_NUMERALS[tens]) + "十" + (_CN_NUMERALS[ones] if ones else "")


def _inferred_label(style: str, value: int) -> str:
    number = _format_number(style, value)
    forms = {"一、": f"{number}、", "（一）": f"（{number}）", "1.": f"{number}.", "（1）": f"（{number}）"}
    return forms.get(style, f"{number}")


def _unterminated(text: str) -> bool:
    stripped = text.rstrip()
    if not stripped:
        return False
    if stripped.endswith(("”", '"', "’")):
        return not stripped[:-1].endswith(_TERMINAL)
    return not stripped.endswith(_TERMINAL)


def split_glued(line: str) -> list[tuple[str, bool]]:
    """A line cut before every heading glued to it; the flag says the piece was glued."""
    pieces = [piece for piece in _GLUED_HEADING.split(line) if piece.strip()]
    return [(piece.strip(), i > 0) for i, piece in enumerate(pieces)]


class _Parser:
    def __init__(self, merge_continuations: bool) -> None:
        self.merge_continuations = merge_continuations
        self.paragraphs: list[Paragraph] = []
        self.levels: list[_Level] = []
        self.closing = False
        self.glossary: Paragraph | None = None
        self.last_seen: dict[str, int] = {}

    def _fit(self, marker: Marker, after_open_sentence: bool) -> tuple[str, int] | None:
        """How `marker` continues the numbering: ("next"|"restart"|"new", level index) or None."""
        for index, level in enumerate(self.levels):
            if level.marker.style != marker.style:
                continue
            if 0 < marker.value - level.marker.value <= MAX_GAP and not after_open_sentence:
                return "next", index
            if marker.value == 1 and not after_open_sentence:
                return "restart", index
            return None
        if after_open_sentence:
            return None
        continued = 0 < marker.value - self.last_seen.get(marker.style, -MAX_GAP) <= MAX_GAP
        if marker.value == 1 or continued:  # numbering may run on across headings (`6.` under `二、`)
            return "new", len(self.levels)
        return None

    def _current(self) -> Paragraph | None:
        return self.paragraphs[-1] if self.paragraphs else None

    def _joins(self, line: str, glued: bool) -> bool:
        current = self._current()
        if current is None:
            return False
        if glued:
            return True
        if UNITS_OPENING.match(line):
            return not current.heading_only or current.children == 0 and current.open_parens > 0
        if current.heading_only and current.open_parens <= 0:
            return False
        return _unterminated(current.last_line)

    def _continues_measure(self, current: Paragraph | None) -> bool:
        """An unnumbered paragraph right after a numbered measure is the rest of that measure
        (a page break fell between two of its sentences); in a report it is a paragraph of its own."""
        return (self.merge_continuations and current is not None and current.marker is not None
                and not current.heading_only and not self.closing and bool(self.levels)
                and self.levels[-1].opener is current)

    def _open_heading(self, line: str, marker: Marker, how: str, index: int) -> None:
        if how == "restart":
            self._infer_lost_heading(index)
            index = len(self.levels)
        del self.levels[index:]
        self._add(Paragraph(text=line, marker=marker, ancestors=[lv.opener for lv in self.levels]))
        self.levels.append(_Level(self._current(), marker))  # type: ignore[arg-type]
        self.last_seen[marker.style] = marker.value
        self.closing = False

    def _infer_lost_heading(self, index: int) -> None:
        """Numbering restarted at 1 without a heading: give the new run its own heading."""
        if index == 0:
            del self.levels[index:]
            return
        parent = self.levels[index - 1]
        value = parent.marker.value + 1
        label = _inferred_label(parent.marker.style, value)
        marker = Marker(style=parent.marker.style, number=_format_number(parent.marker.style, value),
                        value=value, length=len(label))
        lost = Paragraph(text=f"{label}[标题缺失]", marker=marker,
                         ancestors=[lv.opener for lv in self.levels[: index - 1]], inferred=True)
        del self.levels[index - 1:]
        self.levels.append(_Level(lost, marker))

    def _add(self, paragraph: Paragraph) -> None:
        for ancestor in paragraph.ancestors:
            ancestor.children += 1
        self.paragraphs.append(paragraph)

    def feed(self, line: str, glued: bool) -> None:
        if self.glossary is None and _GLOSSARY.match(line):
            self.glossary = Paragraph(text="名词解释", glossary=True)
            self.levels.clear()
            return
        current = self._current()
        open_sentence = current is not None and not current.heading_only and _unterminated(current.last_line)
        marker = None if self.glossary else find_marker(line)
        fit = self._fit(marker, open_sentence) if marker else None
        if fit is not None:
            self._open_heading(line, marker, *fit)  # type: ignore[arg-type]
            return
        if self._joins(line, glued):
            current.extend(line)  # type: ignore[union-attr]
            return
        if self.glossary is not None:
            self._add(Paragraph(text=line, ancestors=[self.glossary], glossary=True))
            return
        if self.levels and _CLOSING.match(line):
            self.closing = True
        elif self._continues_measure(current):
            current.extend(line)  # type: ignore[union-attr]
            return
        ancestors = [] if self.closing else [lv.opener for lv in self.levels]
        self._add(Paragraph(text=line, ancestors=ancestors))


def parse_paragraphs(lines: list[str], report: bool = False) -> list[Paragraph]:
    """Body lines -> paragraphs with markers and heading ancestors, in document order.

    In a report (no numbered measures) every paragraph stays a paragraph; elsewhere unnumbered
    paragraphs right after a measure are the rest of that measure.
    """
    parser = _Parser(merge_continuations=not report)
    for line in lines:
        for piece, glued in split_glued(line):
            parser.feed(piece, glued)
    return parser.paragraphs
