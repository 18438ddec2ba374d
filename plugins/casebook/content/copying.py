"""Runs of words a page shares with a source document: the copying check.

Pages are written in our own words. A run of `RUN_LENGTH` or more consecutive words that a
page shares with a source, after case, punctuation and Markdown are set aside, is a passage
copied rather than written, unless it is marked as a quotation: a blockquote with an
attribution line (`> — who said it`), or a short quotation in quotation marks. A quotation
in marks as long as a run must be a blockquote, so that it carries its attribution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

RUN_LENGTH = 25
# Text files a contributor can drop into `sources/`; README.md there explains the folder.
SOURCE_SUFFIXES = (".txt", ".md")

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|\x00+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A Markdown link or image keeps its text; the address is not prose.
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_BARE_URL = re.compile(r"<?https?://[^\s>)]+>?")
_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")
_ATTRIBUTION = re.compile(r"^\s*>\s*(?:\u2014|--|-)\s*\S")
_BREAK = "\x00"


@dataclass(frozen=True)
class SharedRun:
    """A run of words a page shares with a source, from the page's line `line`."""

    source: str
    line: int
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class _Word:
    text: str
    line: int


def normalise(text: str) -> str:
    return text.translate(_APOSTROPHES).lower()


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def _unlink(match: re.Match) -> str:
    # Keep the link text where it stands; blank out the brackets and the address.
    inner = match.group(1)
    start = match.group(0).index("[") + 1
    return " " * start + inner + " " * (len(match.group(0)) - start - len(inner))


def _unquote(match: re.Match) -> str:
    """A short quotation becomes a break (no run may pass through it); one as long as a
    run stays as text, so it is checked: it should be an attributed blockquote."""
    if len(_WORD.findall(match.group(0))) >= RUN_LENGTH:
        return match.group(0)
    return _BREAK * len(match.group(0))


def _paragraphs(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Blocks of consecutive non-blank lines, outside fenced code, with their first line."""
    block: list[str] = []
    start = 0
    in_fence = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            line = ""
        if in_fence or not line.strip():
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def page_words(markdown: str) -> list[list[_Word]]:
    """A page's prose as segments of words: no run of words crosses a segment's end.

    Paragraphs, headings and list items run on into each other, as the source's prose
    would. Attributed blockquotes are left out and end a segment; links keep their text;
    short quotations end a segment, so a run cannot be made of a quotation and the text
    around it."""
    segments: list[list[_Word]] = []
    segment: list[_Word] = []
    for first_line, block in _paragraphs(normalise(markdown).split("\n")):
        if block[0].lstrip().startswith(">") and any(_ATTRIBUTION.match(x) for x in block):
            segments.append(segment)
            segment = []
            continue
        text = "\n".join(block)
        text = _BARE_URL.sub(_blank, _LINK.sub(_unlink, text))
        text = _QUOTED.sub(_unquote, text)
        for match in _WORD.finditer(text):
            if match.group(0).startswith(_BREAK):
                segments.append(segment)
                segment = []
                continue
            line = first_line + text.count("\n", 0, match.start())
            segment.append(_Word(match.group(0), line))
    segments.append(segment)
    return [segment for segment in segments if len(segment) >= RUN_LENGTH]


def source_runs(sources: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Every run of `RUN_LENGTH` words in the sources, mapped to the first source it is in."""
    runs: dict[tuple[str, ...], str] = {}
    for name, text in sources.items():
        words = [w for w in _WORD.findall(normalise(text)) if not w.startswith(_BREAK)]
        for start in range(len(words) - RUN_LENGTH + 1):
            runs.setdefault(tuple(words[start : start + RUN_LENGTH]), name)
    return runs


def shared_runs(markdown: str, runs: dict[tuple[str, ...], str]) -> list[SharedRun]:
    """The longest stretches of the page that are made of runs found in a source."""
    found: list[SharedRun] = []
    for segment in page_words(markdown):
        words = [word.text for word in segment]
        index = 0
        while index <= len(words) - RUN_LENGTH:
            source = runs.get(tuple(words[index : index + RUN_LENGTH]))
            if source is None:
                index += 1
                continue
            end = index + RUN_LENGTH
            while end < len(words) and tuple(words[end - RUN_LENGTH + 1 : end + 1]) in runs:
                end += 1
            found.append(SharedRun(source, segment[index].line, tuple(words[index:end])))
            index = end
    return found


def read_sources(folders: Iterable[Path]) -> dict[str, str]:
    """The text of every source document in the folders (README.md files excepted)."""
    sources: dict[str, str] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in SOURCE_SUFFIXES and path.name.lower() != "readme.md":
                sources[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return sources
