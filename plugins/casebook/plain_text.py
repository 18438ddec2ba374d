"""Markdown to plain text and headings, for the search index and snippets."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")
_MARKUP = re.compile(r"[*_`>#|]+|^\s*[-+]\s+|^\s*\d+\.\s+|\{[:#.][^}]*\}", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def headings(markdown: str) -> list[str]:
    return [_inline(text) for text in _HEADING.findall(_FENCE.sub("", markdown))]


def plain_text(markdown: str) -> str:
    text = _FENCE.sub(" ", markdown)
    text = _REFERENCE.sub(" ", text)
    text = _inline(text)
    return _SPACE.sub(" ", text).strip()


def _inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return _SPACE.sub(" ", text.replace("\\", "")).strip()
