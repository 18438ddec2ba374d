"""A faster way through Python-Markdown, with the same output: a Markdown extension the
plugin adds to the site's list.

Python-Markdown tries every rule on every piece of a page, through a Python call each:
- each block (the text between blank lines) goes to each block processor's test (a
  heading? a list? a quote?) until one takes it, and a plain paragraph is the last;
- each text (a paragraph, a heading, a list item) is searched with each inline
  pattern's regular expression, from start to end.
Prose seldom holds what any of those rules look for, and at 1,000 case studies the two
were 2.9 s of the 3.9 s it took to convert their Markdown (0.95 s without them).

So, exactly where Python-Markdown's own result is known without them:
- a block each of whose lines begins with a letter, where every block processor is one
  of Python-Markdown's own (BLOCK_PROCESSORS), goes straight to the paragraph processor:
  no other one's test can accept it (see BLOCK_PROCESSORS for why, one by one);
- a text holding none of what any inline pattern needs is left as it is. Each of
  Python-Markdown's own patterns is known by its expression, exactly as the installed
  version writes it (NEEDS); a pattern not known here (another extension's, or one a new
  version changed) is searched for with its own expression first.
Anything else goes through Python-Markdown's own steps; only the time changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown import blockprocessors, util
from markdown.blockparser import BlockParser
from markdown.extensions import Extension, admonition, def_list, md_in_html, tables
from markdown.treeprocessors import InlineProcessor

NAME = __name__  # as the site's markdown_extensions name it

# -- blocks -----------------------------------------------------------------------------

# A block whose every line begins with an ASCII letter (no indent, no blank line).
PLAIN_BLOCK = re.compile(r"[A-Za-z][^\n]*(?:\n[A-Za-z][^\n]*)*")
# Python-Markdown's block processors (3.11), and why none but the paragraph's accepts a
# plain block: each test looks for something no such block has at any line's start.
BLOCK_PROCESSORS = {
    blockprocessors.EmptyBlockProcessor: "an empty block, or one opening with a newline",
    blockprocessors.ListIndentProcessor: "an indented block",
    blockprocessors.CodeBlockProcessor: "an indented block",
    blockprocessors.HashHeaderProcessor: "'#' at a line's start",
    blockprocessors.SetextHeaderProcessor: "'=' or '-' at the second line's start",
    blockprocessors.HRProcessor: "'-', '_' or '*' at a line's start",
    blockprocessors.OListProcessor: "a digit or a space at the start",
    blockprocessors.UListProcessor: "'*', '+', '-' or a space at the start",
    blockprocessors.BlockQuoteProcessor: "'>' at a line's start",
    blockprocessors.ReferenceProcessor: "'[' at a line's start (its test is always true, "
    "its run gives the block back)",
    admonition.AdmonitionProcessor: "'!!!' at a line's start, or an indented block",
    def_list.DefListIndentProcessor: "an indented block",
    def_list.DefListProcessor: "':' at a line's start",
    md_in_html.MarkdownInHtmlProcessor: "a stashed HTML block's placeholder (its test "
    "is always true, its run gives the block back)",
    # MkDocs adds tables (with toc and fenced_code) to every site's extensions.
    tables.TableProcessor: "a second line of only '|', ':', '-' and spaces",
}


class QuickBlockParser(BlockParser):
    """Python-Markdown's BlockParser, handing a plain block to the paragraph processor
    when every processor registered is one BLOCK_PROCESSORS knows."""

    def parseBlocks(self, parent, blocks: list[str]) -> None:  # noqa: N802 (its name)
        processors = list(self.blockprocessors)
        paragraph = processors[-1] if processors else None
        known = type(paragraph) is blockprocessors.ParagraphProcessor and all(
            type(processor) in BLOCK_PROCESSORS for processor in processors[:-1]
        )
        if not known:
            return super().parseBlocks(parent, blocks)
        plain = PLAIN_BLOCK.fullmatch
        while blocks:  # (no processor of BLOCK_PROCESSORS registers another meanwhile)
            if plain(blocks[0]):
                paragraph.run(parent, blocks)
                continue
            for processor in self.blockprocessors:  # as BlockParser.parseBlocks does
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break
        return None


# -- inline patterns ------------------------------------------------------------------

# Each of Python-Markdown's inline patterns (3.11) by its expression, with the strings
# one of which every match of it contains, from where the match starts.
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

    _checks: list[re.Pattern] = []  # run() sets them before any text comes

    def run(self, tree, ancestors=None):
        self._checks = could_match(self.inlinePatterns)  # as registered for this page
        return super().run(tree, ancestors)

    # InlineProcessor's own private method, by the name Python gives it: every text goes
    # through it (tests/test_quick_markdown.py fails if it is ever not called).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString) or any(c.search(data) for c in self._checks):
            return super()._InlineProcessor__handleInline(data, patternIndex)
        return data


# -- the extension ----------------------------------------------------------------------

INLINE_PRIORITY = 20  # where Python-Markdown registers its inline processor


class QuickMarkdownExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Markdown's name)
        # Only Python-Markdown's own parts are replaced: another extension's stay.
        if type(md.parser) is BlockParser:
            md.parser.__class__ = QuickBlockParser  # the processors keep their parser
        if type(md.treeprocessors["inline"]) is InlineProcessor:
            md.treeprocessors.register(QuickInlineProcessor(md), "inline", INLINE_PRIORITY)


def makeExtension(**kwargs) -> QuickMarkdownExtension:  # noqa: N802 (Markdown's name)
    return QuickMarkdownExtension(**kwargs)
