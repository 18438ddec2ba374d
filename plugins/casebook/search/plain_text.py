"""Markdown to plain text and headings, for the search index, snippets and similarity."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
# Patterns that start at a line begin with a literal "\n" (the text gets one prepended):
# Python's re tries a MULTILINE "^" at every position, which is several times slower.
# Every pattern here is linear on contributed text: a character class never spans the
# character that starts the next attempt ("[^\[\]]", "[^<>]"), and the closing "#" of a
# heading is trimmed in Python, not by a lazy match that rescans the line.
_HEADING = re.compile(r"\n#{1,6}[ \t]+([^\n]*)")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_REFERENCE = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
_TAG = re.compile(r"<[^<>\n]+>")
_MARKUP = str.maketrans({char: " " for char in "*_`>#|\\"})
_LIST_MARK = re.compile(r"\n[ \t]*(?:[-+]|\d+\.)[ \t]+")
_ATTRIBUTES = re.compile(r"\{[:#.][^{}\n]*\}")


def _without_fences(markdown: str) -> str:
    return _FENCE.sub(" ", markdown) if ("```" in markdown or "~~~" in markdown) else markdown


def headings(markdown: str) -> list[str]:
    found = _HEADING.findall("\n" + _without_fences(markdown) + "\n")
    texts = (text.rstrip(" \t").rstrip("#").rstrip(" \t") for text in found)
    return [_inline(text) for text in texts if text]


def plain_text(markdown: str) -> str:
    text = _without_fences(markdown)
    if "]:" in text:
        text = _REFERENCE.sub(" ", text)
    return _inline(text)


def _inline(text: str) -> str:
    if "](" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "{" in text:
        text = _ATTRIBUTES.sub(" ", text)
    text = _LIST_MARK.sub("\n", "\n" + text).translate(_MARKUP)
    return " ".join(text.split())
