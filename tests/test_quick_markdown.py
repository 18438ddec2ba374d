"""The quick inline step: the same HTML as Python-Markdown's own, for any text."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
import pytest
from casebook.site import quick_markdown
from casebook.site.quick_markdown import (
    BLOCK_PROCESSORS,
    NEEDS,
    QuickBlockParser,
    QuickInlineProcessor,
    could_match,
)
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.treeprocessors import InlineProcessor

ROOT = Path(__file__).resolve().parent.parent
# The site's extensions, after the three MkDocs adds to every site's.
SITE_EXTENSIONS = [
    "toc",
    "tables",
    "fenced_code",
    "attr_list",
    "md_in_html",
    "def_list",
    "admonition",
]
# Every character an inline or block pattern reacts to, among words and line breaks.
ALPHABET = (
    list("`\\[]()!<>&*_#:=-.'\"/@;|{}~^+?0123456789")
    + [" ", "  ", "\n", "\n\n"]
    + [
        "word",
        "http://example.org",
        "a@b.org",
        "&amp;",
        "&#35;",
        "<b>",
        "</b>",
        "<!-- x -->",
        "**",
        "__",
        "![",
        "](x)",
        "[1]: x",
        "  \n",
        "    ",
        "!!! note",
        "{: #id }",
        # lines that open blocks, and plain lines between them
        "\nWord and words",
        "\nPlain line",
        "\n\nA paragraph",
        "\n- ",
        "\n1. ",
        "\n> ",
        "\n# ",
        "\n===",
        "\n---",
        "\n***",
        "\n: ",
        "\n    ",
        "\n\t",
        "\n!!! tip\n    ",
        "\n[x]: http://a.org",
        '<div markdown="1">\n',
        "\n</div>\n",
        "\n| a | b |\n|---|---|",
        "\n```\n",
        "[^1]",
        "\n[^1]: note",
        "\n*[HTML]: x",
    ]
)
# Extensions whose block processors or patterns the quick steps do not know.
OTHER_EXTENSIONS = [*SITE_EXTENSIONS, "footnotes", "abbr", "smarty", "sane_lists"]


def convert(text: str, extensions: list, quick: bool) -> str:
    names = extensions + ([quick_markdown.NAME] if quick else [])
    return markdown.Markdown(extensions=names).convert(text)


def random_text(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 80)))


@pytest.mark.parametrize("chunk", range(8))
def test_random_text_renders_as_python_markdown_renders_it(chunk):
    for seed in range(chunk * 250, (chunk + 1) * 250):
        text = random_text(seed)
        assert convert(text, SITE_EXTENSIONS, True) == convert(text, SITE_EXTENSIONS, False), text


@pytest.mark.parametrize("chunk", range(2))
def test_with_other_extensions_too(chunk):
    for seed in range(10_000 + chunk * 250, 10_000 + (chunk + 1) * 250):
        text = random_text(seed)
        quick = convert(text, OTHER_EXTENSIONS, True)
        assert quick == convert(text, OTHER_EXTENSIONS, False), text


def test_every_page_of_the_site_renders_as_before():
    pages = sorted((ROOT / "content").rglob("*.md"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert convert(text, SITE_EXTENSIONS, True) == convert(text, SITE_EXTENSIONS, False), page


def test_prose_with_markup_here_and_there():
    text = (
        "Plain prose on one line.\n\nA [link](https://example.org) and *emphasis*, "
        "`code`, a \\*literal\\*, <span>html</span>, &amp; an entity, <https://a.org>.\n\n"
        "A hard break  \nafter it. snake_case and 2 * 3.\n\n# Heading with *stress*\n\n"
        "- item one\n- item **two**\n\nTerm\n:   its definition with _emphasis_\n"
    )
    quick = convert(text, SITE_EXTENSIONS, True)
    assert quick == convert(text, SITE_EXTENSIONS, False)
    for made in ('<a href="https://example.org">', "<em>emphasis</em>", "<code>code</code>"):
        assert made in quick
    assert "<br />" in quick and "<strong>two</strong>" in quick


def test_every_pattern_of_the_pinned_markdown_is_known():
    """So the quick step is whole with the site's extensions: a new Python-Markdown
    whose patterns changed fails here (the output would stay right, only slower)."""
    md = markdown.Markdown(extensions=SITE_EXTENSIONS + [quick_markdown.NAME])
    expressions = {pattern.getCompiledRegExp().pattern for pattern in md.inlinePatterns}
    assert expressions == set(NEEDS)
    assert len(could_match(md.inlinePatterns)) == 1


@pytest.mark.parametrize("expression", sorted(NEEDS))
def test_each_match_of_a_known_pattern_holds_what_it_needs(expression):
    compiled = re.compile(expression, re.DOTALL | re.UNICODE)
    found = 0
    for seed in range(3000):
        text = random_text(seed)
        for match in compiled.finditer(text):
            found += 1
            # What it needs is in the text from the match on (a lookahead may read past
            # the match itself), so a text without it is never matched.
            assert any(need in text[match.start() :] for need in NEEDS[expression]), text
    assert found > 0  # the random texts reach every pattern


def test_text_with_nothing_to_match_never_reaches_the_patterns(monkeypatch):
    """The quick step is taken: prose goes through no pattern. Python-Markdown renaming
    its private method would leave the override unused, and this fails."""
    calls = []
    original = InlineProcessor._InlineProcessor__applyPattern

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    prose = "Plain words, commas and full stops. Nothing else.\n\nA second paragraph."
    convert(prose, SITE_EXTENSIONS, False)
    assert calls  # Python-Markdown's own tries every pattern on every text
    calls.clear()
    assert convert(prose, SITE_EXTENSIONS, True) == convert(prose, SITE_EXTENSIONS, False)
    calls.clear()
    convert(prose, SITE_EXTENSIONS, True)
    assert calls == []
    convert("A *word*.", SITE_EXTENSIONS, True)
    assert calls  # and a text with something to match still goes through them


class Percent(InlinePattern):
    """Another extension's pattern, unknown to NEEDS: %%word%% in <mark>."""

    def handleMatch(self, m, data):
        element = etree.Element("mark")
        element.text = m.group(1)
        return element, m.start(0), m.end(0)


class PercentExtension(markdown.extensions.Extension):
    def extendMarkdown(self, md):
        md.inlinePatterns.register(Percent(r"%%(\w+)%%", md), "percent", 175)


def test_a_pattern_it_does_not_know_is_searched_for_with_its_own_expression():
    extensions = [*SITE_EXTENSIONS, PercentExtension()]
    text = "Plain words and %%marked%% ones.\n\nNothing here."
    quick = convert(text, extensions, True)
    assert "<mark>marked</mark>" in quick
    assert quick == convert(text, extensions, False)
    md = markdown.Markdown(extensions=[*extensions, quick_markdown.NAME])
    checks = could_match(md.inlinePatterns)
    assert [check.pattern for check in checks][1:] == [r"%%(\w+)%%"]


def test_another_extensions_inline_processor_is_left_in_place():
    class Own(InlineProcessor):
        pass

    class OwnExtension(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(Own(md), "inline", 20)

    md = markdown.Markdown(extensions=[OwnExtension(), quick_markdown.NAME])
    assert type(md.treeprocessors["inline"]) is Own
    md = markdown.Markdown(extensions=[quick_markdown.NAME])
    assert type(md.treeprocessors["inline"]) is QuickInlineProcessor


def test_it_takes_the_inline_step_s_place_among_the_tree_processors():
    stock = markdown.Markdown(extensions=SITE_EXTENSIONS)
    quick = markdown.Markdown(extensions=SITE_EXTENSIONS + [quick_markdown.NAME])
    assert list(quick.treeprocessors) != list(stock.treeprocessors)  # its own object
    assert [type(p).__name__ for p in stock.treeprocessors] == [
        "InlineProcessor" if type(p) is QuickInlineProcessor else type(p).__name__
        for p in quick.treeprocessors
    ]


def test_the_plugin_adds_it_once_and_the_render_cache_stays_on(tmp_path, monkeypatch):
    from casebook.site.render_cache import cacheable
    from mkdocs.config import load_config

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    assert quick_markdown.NAME not in config.markdown_extensions
    plugin = config.plugins["casebook"]
    try:
        for _ in range(2):  # `mkdocs serve` may hand the same config back
            config = plugin.on_config(config)
    finally:
        plugin.counter.detach()
    assert config.markdown_extensions.count(quick_markdown.NAME) == 1
    assert cacheable(config.markdown_extensions)


def test_every_block_processor_of_the_pinned_markdown_is_known():
    md = markdown.Markdown(extensions=SITE_EXTENSIONS + [quick_markdown.NAME])
    assert type(md.parser) is QuickBlockParser
    processors = list(md.parser.blockprocessors)
    assert type(processors[-1]).__name__ == "ParagraphProcessor"
    assert {type(p) for p in processors[:-1]} <= set(BLOCK_PROCESSORS)


def counting_block_tests(monkeypatch) -> list[tuple[str, str]]:
    tested: list[tuple[str, str]] = []
    for kind in BLOCK_PROCESSORS:
        original = kind.test

        def counting(self, parent, block, original=original):
            tested.append((type(self).__name__, block))
            return original(self, parent, block)

        monkeypatch.setattr(kind, "test", counting)
    return tested


def test_a_plain_block_never_reaches_the_block_tests(monkeypatch):
    tested = counting_block_tests(monkeypatch)
    prose = "Plain words on a line.\nAnd another line.\n\nA second paragraph, *stressed*."
    assert convert(prose, SITE_EXTENSIONS, True) == convert(prose, SITE_EXTENSIONS, False)
    assert tested  # Python-Markdown's own tests every block with each processor
    tested.clear()
    html = convert(prose, SITE_EXTENSIONS, True)
    assert [block for _, block in tested if block.strip()] == []  # only the empty end
    assert html.count("<p>") == 2 and "<em>stressed</em>" in html
    convert("# A heading\n\n- a list", SITE_EXTENSIONS, True)
    assert ("HashHeaderProcessor", "# A heading") in tested  # any other block as before


def test_a_block_processor_it_does_not_know_turns_the_block_step_off(monkeypatch):
    tested = counting_block_tests(monkeypatch)
    prose = "Plain words on a line.\n\nText with a note.[^1]\n\n[^1]: The note."
    stock = convert(prose, [*SITE_EXTENSIONS, "footnotes"], False)
    tested.clear()
    html = convert(prose, [*SITE_EXTENSIONS, "footnotes"], True)
    assert html == stock and 'class="footnote"' in html
    assert ("HashHeaderProcessor", "Plain words on a line.") in tested  # tested as before


def test_tables_still_render():
    text = "Plain words.\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\nname | value\n--- | ---\nx | y\n"
    html = convert(text, SITE_EXTENSIONS, True)
    assert html == convert(text, SITE_EXTENSIONS, False)
    assert html.count("<table>") == 2 and '<th style="text-align: center;">b</th>' in html


def test_another_extensions_block_parser_is_left_in_place():
    from markdown.blockparser import BlockParser

    class OwnParser(BlockParser):
        pass

    class OwnExtension(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.parser.__class__ = OwnParser

    md = markdown.Markdown(extensions=[OwnExtension(), quick_markdown.NAME])
    assert type(md.parser) is OwnParser


def test_a_processor_it_does_not_know_just_before_the_paragraph_turns_the_step_off():
    """Another extension's block processor, last before the paragraph's, still gets the
    plain blocks it wants."""
    from markdown.blockprocessors import BlockProcessor

    class Note(BlockProcessor):
        def test(self, parent, block):
            return block.startswith("Note:")

        def run(self, parent, blocks):
            etree.SubElement(parent, "aside").text = blocks.pop(0)[len("Note:") :].strip()

    class NoteExtension(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.parser.blockprocessors.register(Note(md.parser), "note", 11)

    text = "Plain words.\n\nNote: a plain line it takes."
    html = convert(text, [*SITE_EXTENSIONS, NoteExtension()], True)
    assert html == convert(text, [*SITE_EXTENSIONS, NoteExtension()], False)
    assert "<aside>a plain line it takes.</aside>" in html


def test_no_inline_pattern_means_nothing_to_search_for():
    assert could_match([]) == []


def test_ancestors_handed_to_the_inline_step_still_count():
    """An extension that runs the inline step inside a link (ancestors ['a']) gets none
    of the patterns that stay out of links, as from Python-Markdown's own."""

    class OutOfLinks(Percent):
        ANCESTOR_EXCLUDES = ("a",)

    class OutOfLinksExtension(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            md.inlinePatterns.register(OutOfLinks(r"%%(\w+)%%", md), "percent", 175)

    results = []
    for quick in (True, False):
        extensions = [*SITE_EXTENSIONS, OutOfLinksExtension()] + [quick_markdown.NAME] * quick
        md = markdown.Markdown(extensions=extensions)
        for ancestors in (["a"], None):
            root = etree.Element("div")
            etree.SubElement(root, "p").text = "see %%marked%% words"
            md.treeprocessors["inline"].run(root, ancestors)
            results.append(etree.tostring(root, encoding="unicode"))
    inside_a_link, alone = results[:2]
    assert results[:2] == results[2:]
    assert "<mark>" not in inside_a_link and "<mark>marked</mark>" in alone
