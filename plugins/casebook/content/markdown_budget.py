"""A work budget for Python-Markdown, checked before a page is rendered.

Python-Markdown's inline patterns scan ahead from every '[' and '<' that does not close
into a link or a tag, so a block's cost grows with (such openers) x (its length): 4,000 '['
in one paragraph take about 5 s, and '<a ' * 20,000 took the build 154 s. Well-formed links
and tags are cheap (4,000 links in one 130 KB paragraph render in 0.6 s), so they are not
counted. Deeply indented lists recurse once per level and crash at a few hundred levels.
Ordinary pages are far below these limits; a page over them is refused with the line to
fix, never rendered.
"""

from __future__ import annotations

import re

# A block's estimated cost: its unclosed '[' and '<' times its length. Measured on this
# machine ('[' is the dearest), 1e7 units render in 2-5 s depending on its load, so the
# document limit keeps a page's rendering within the 10 s the build may spend on it; a
# paragraph of prose with a few stray '<' costs under 1e5.
BLOCK_BUDGET = 5_000_000
DOCUMENT_BUDGET = 10_000_000
# Leading columns of indentation, and '>' quote levels, on any line.
MAX_INDENT = 64
MAX_QUOTE_DEPTH = 16

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
# Only a prefix of 17 or more characters can pass either limit (a character is at most a
# tab, 4 columns: 16 make 64), so shorter ones, every ordinary line, are never looked at.
_INDENT = re.compile(r"^[ \t>]{17,}", re.MULTILINE)
# Links and tags that close (linear: no class spans the character that opens the next try).
_CLOSED = re.compile(r"!?\[[^\[\]\n]*\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)|<[A-Za-z/!][^<>]*>")


def markdown_budget_problem(body: str) -> tuple[int, str] | None:
    """(line in the body, message) for the first place over budget, or None. Linear."""
    total = 0
    start = 0
    for block_end in [*(m.start() for m in _BLOCK_BREAK.finditer(body)), len(body)]:
        block = body[start:block_end]
        openers = block.count("[") + block.count("<")
        if openers:
            unclosed = _CLOSED.sub("", block)
            openers = unclosed.count("[") + unclosed.count("<")
        cost = openers * len(block)
        total += cost
        if cost > BLOCK_BUDGET or total > DOCUMENT_BUDGET:
            first = start + len(block) - len(block.lstrip())
            line = body.count("\n", 0, first) + 1
            return line, (
                "this paragraph has too many '[' or '<' for its length to render in "
                "reasonable time; split it with blank lines, or write fewer links and tags"
                if cost > BLOCK_BUDGET
                else "the page has too many '[' or '<' to render in reasonable time; "
                "split it into several pages, or write fewer links and tags"
            )
        start = block_end
    for match in _INDENT.finditer(body):
        prefix = match.group()
        columns = len(prefix.expandtabs(4))
        if columns > MAX_INDENT or prefix.count(">") > MAX_QUOTE_DEPTH:
            line = body.count("\n", 0, match.start()) + 1
            return line, (
                f"this line is nested too deeply (over {MAX_INDENT} columns of indentation "
                f"or {MAX_QUOTE_DEPTH} '>' levels); flatten the list or quote"
            )
    return None
