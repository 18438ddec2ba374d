"""A faster way through Python-Markdown's inline patterns, with the same output.

For every text in a page (each paragraph, heading, list item), Python-Markdown tries
each inline pattern in turn: it searches the whole text with the pattern's regular
expression, through a Python call per pattern. Prose seldom holds any of the characters
those patterns need (a backtick, a backslash, '[', '<', '&', '*', '_' or a hard line
break), and the searches were most of the inline step: at 1,000 case studies, converting
their Markdown took 3.9 s, 1.3 s of it in searches that found nothing.

This extension puts one search first: a text that holds none of what any pattern needs
is left as it is, as every pattern would have left it. Each of Python-Markdown's own
patterns is known here by its expression, exactly as the installed version writes it,
with what any of its matches must contain. A pattern not known here (another
extension's, or one a new version changed) is searched for with its own expression
before a text is passed over, so the output never changes; only the time does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown import util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

NAME = __name__  # as the site's markdown_extensions name it

# Each of Python-Markdown's inline patterns (3.11) by its expression, with the strings
# one of which every match of it contains.
NEEDS: dict[str, tuple[str, ...]] = {
    # backtick: a run of `, or pairs of \ before one (its lookahead is within the text)
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),
    r"\\(.)": ("\\",),  # escape
    r"(?<!\!)\[": ("[",),  # reference, link, short_reference
    r"\!\[": ("[",),  # image_link, image_reference, short_image_ref
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # autolink
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # automail
    r"  \n": ("  \n",),  # linebreak
    (  # html
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|"""
        r"""'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>)."""
        r""")*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""
    ): ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # entity
    r"\*|_": ("*", "_"),  # em_strong
}


def could_match(patterns: Iterable) -> list[re.Pattern]:
    """Expressions of which at least one finds something in any text in which one of
    `patterns` could match: one for every known pattern's needs, and each unknown
    pattern's own."""
    needs: set[str] = set()
    unknown: list[re.Pattern] = []
    for pattern in patterns:
        expression = pattern.getCompiledRegExp()
        known = NEEDS.get(expression.pattern)
        if known is None:
            unknown.append(expression)
        else:
            needs.update(known)
    checks = [re.compile("|".join(map(re.escape, sorted(needs))))] if needs else []
    return checks + unknown


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, passing over a text no pattern could match."""

    _checks: list[re.Pattern] = []

    def run(self, tree, ancestors=None):
        self._checks = could_match(self.inlinePatterns)  # as registered for this page
        return super().run(tree, ancestors)

    # InlineProcessor's own private method, by the name Python gives it: every text goes
    # through it (tests/test_quick_inline.py fails if it is ever not called).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString) or any(c.search(data) for c in self._checks):
            return super()._InlineProcessor__handleInline(data, patternIndex)
        return data


class QuickInlineExtension(Extension):
    def extendMarkdown(self, md) -> None:
        # Only Python-Markdown's own processor is replaced: another extension's stays.
        if type(md.treeprocessors["inline"]) is InlineProcessor:
            md.treeprocessors.register(QuickInlineProcessor(md), "inline", INLINE_PRIORITY)


INLINE_PRIORITY = 20  # where Python-Markdown registers its inline processor


def makeExtension(**kwargs) -> QuickInlineExtension:  # noqa: N802 (Markdown's name)
    return QuickInlineExtension(**kwargs)
