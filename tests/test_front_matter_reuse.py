"""MkDocs takes each page's front matter from casebook's parse instead of parsing it again
(issue 13): for every file, the page's Markdown and meta are exactly what MkDocs' own
read gives, and a site built with the reuse on is byte for byte the one built without."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.mkdocs_plugin import CasebookPlugin

from .conftest import (
    FIXTURE_CONTENT,
    ROOT,
    TODAY,
    build_in_process,
    case_with,
    pagefind_records,
    write,
)
from .test_block_cache import every_file, uncached_config
from .test_checked_files import hostile, kept_load

CASE_STUDY = case_with()
FRONT, BODY = CASE_STUDY.split("\n---\n", 1)[0] + "\n---\n", CASE_STUDY.split("\n---\n", 1)[1]
assert FRONT.startswith("---\n") and BODY.startswith("\n")

# Files MkDocs and casebook might read differently. Bytes, so line endings and BOMs are as
# written; each name says what it probes.
PROBES: dict[str, bytes] = {
    "case_studies/dates.md": (
        FRONT.replace("---\n", "---\nupdated: 2025-03-04\nseen: 2025-03-04 10:20:30+01:00\n", 1)
        + BODY
    ).encode(),
    "case_studies/nested.md": (
        FRONT.replace(
            "---\n",
            "---\nextra:\n  levels: {one: [1, 2.5, true, null, {deep: [x]}]}\n"
            "  numbered: {1: one, 2.0: two, true: yes, 2025-01-01: day}\n"
            "ratio: .nan\nbig: 123456789012345678901234567890\nnegative: -0.0\n",
            1,
        )
        + BODY
    ).encode(),
    "case_studies/unicode.md": (
        FRONT.replace("title: Delta Project", "title: 'Ceòl “agus” العربية 🌊 &lt;'") + BODY
    ).encode(),
    "case_studies/crlf.md": (FRONT + BODY).replace("\n", "\r\n").encode(),
    "case_studies/lone-cr.md": (FRONT.replace("title: Delta", "title: Delta\rX") + BODY).encode(),
    "case_studies/bom.md": ("\ufeff" + FRONT + BODY).encode(),
    # YAML reads a BOM after a line break unlike one at the start (a second key fails)
    "case_studies/bom-inside.md": b"---\n\xef\xbb\xbftitle: Inside\n---\n\nBody\n",
    "case_studies/bom-inside-two-keys.md": (
        FRONT.replace("---\n", "---\n\ufeff", 1) + BODY
    ).encode(),
    "case_studies/dashes-in-body.md": (FRONT + "\n---\ntitle: Not meta\n---\n" + BODY).encode(),
    "case_studies/rule-in-body.md": (FRONT + BODY + "\n---\n\nAfter a rule.\n---\n").encode(),
    "case_studies/multimarkdown-body.md": (FRONT + "Note: a line like meta\n" + BODY).encode(),
    "case_studies/blank-first-line.md": (FRONT + "   \n" + BODY).encode(),
    "case_studies/dots-close.md": (FRONT[:-4] + "...\n" + BODY).encode(),
    "case_studies/spaces-after-fence.md": (FRONT.replace("---\n", "--- \t\n", 1) + BODY).encode(),
    "case_studies/four-dashes.md": (FRONT.replace("---\n", "----\n", 1) + BODY).encode(),
    "case_studies/blank-before-yaml.md": (FRONT.replace("---\n", "---\n\n", 1) + BODY).encode(),
    "case_studies/not-a-dict.md": b"---\n- a\n- list\n---\n\n# Body\n",
    "case_studies/scalar.md": b"---\njust text\n---\n\n# Body\n",
    "case_studies/empty-front.md": b"---\n---\n\n# Body\n",
    "case_studies/blank-front.md": b"---\n\n---\n\n# Body\n",
    "case_studies/no-front.md": b"# Only a body\n\nWords.\n",
    "case_studies/no-body.md": FRONT.encode(),
    "case_studies/int-key.md": FRONT.replace("---\n", "---\n1: one\n", 1).encode() + b"\nBody\n",
    "case_studies/set.md": FRONT.replace("---\n", "---\nset: !!set {a, b}\n", 1).encode()
    + b"\nBody\n",
    "case_studies/omap.md": FRONT.replace("---\n", "---\nmap: !!omap [a: 1]\n", 1).encode()
    + b"\nBody\n",
    "case_studies/binary.md": FRONT.replace("---\n", "---\nbin: !!binary aGk=\n", 1).encode()
    + b"\nBody\n",
    "case_studies/env-tag.md": FRONT.replace("---\n", "---\nenv: !ENV HOME\n", 1).encode()
    + b"\nBody\n",
    "case_studies/deep.md": FRONT.replace(
        "---\n", "---\ndeep: " + "[" * 40 + "]" * 40 + "\n", 1
    ).encode()
    + b"\nBody\n",
    "case_studies/duplicate.md": FRONT.replace("---\n", "---\ntitle: Again\n", 1).encode()
    + b"\nBody\n",
    "case_studies/alias.md": FRONT.replace("---\n", "---\na: &x [1]\nb: *x\n", 1).encode()
    + b"\nBody\n",
    "case_studies/unclosed.md": b"---\ntitle: Open\n\n# Body\n",
    "case_studies/bad-yaml.md": b"---\ntitle: [unclosed\n---\n\n# Body\n",
    "guides/multimarkdown.md": b"Title: A guide\nAuthor: Someone\n    more\n\n# Guide\n",
    "guides/plain.md": b"# A guide\n\nWords.\n",
}


def probes(target: Path) -> Path:
    """The fixture library with every probe beside it."""
    shutil.copytree(FIXTURE_CONTENT, target)
    for name, data in PROBES.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    return target


CORPORA = {
    "library": lambda target: shutil.copytree(ROOT / "content", target),
    "fixture": lambda target: shutil.copytree(FIXTURE_CONTENT, target),
    "biting": lambda target: shutil.copytree(ROOT / "tests/fixtures/biting", target),
    "hostile": hostile,
    "probes": probes,
}


def typed(value):
    """`value` with every type spelt out and mappings as ordered pairs, so == also tells
    apart 1, 1.0 and True, a date and a datetime, and key order; NaN equals itself."""
    if type(value) is dict:
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if type(value) is list:
        return ("list", [typed(item) for item in value])
    if type(value) is float and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def mkdocs_config(docs: Path, casebook: CasebookPlugin | None):
    """MkDocs' default configuration (not the project's mkdocs.yml), with casebook's
    hooks when given."""
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig()
    config.load_dict(
        {"site_name": "t", "docs_dir": str(docs), "site_dir": str(docs.parent / "site")}
    )
    errors, _ = config.validate()
    assert not errors
    if casebook is not None:
        config.plugins["casebook"] = casebook  # registers its hooks, as a build does
    return config


def _page(config, docs: Path, src_uri: str):
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    return Page(None, File(src_uri, str(docs), str(docs.parent / "site"), True), config)


def read_both_ways(content: Path, documents: dict) -> int:
    """Every Markdown file read by MkDocs alone and through casebook's parse: the same
    `page.markdown` and `page.meta` when the first Markdown hook has run. Returns how
    many pages took casebook's parse."""
    casebook = CasebookPlugin()
    casebook._parsed = {u: d for u, d in documents.items() if d.front_matter is not None}
    plain, reusing = mkdocs_config(content, None), mkdocs_config(content, casebook)
    taken = 0
    for path in sorted(content.rglob("*.md")):
        src_uri = path.relative_to(content).as_posix()
        expected, page = _page(plain, content, src_uri), _page(reusing, content, src_uri)
        try:
            expected.read_source(plain)
        except ValueError:  # not UTF-8: MkDocs stops the build, and so it does here
            with pytest.raises(ValueError):
                page.read_source(reusing)
            continue
        page.read_source(reusing)
        taken += src_uri in casebook._read
        casebook._give_meta(page.markdown, page=page, config=reusing, files=None)
        assert page.markdown == expected.markdown, src_uri
        assert typed(page.meta) == typed(expected.meta), src_uri
        assert casebook._read == {}  # the meta went to the page it was read for
    return taken


@pytest.mark.parametrize("kept", [False, True], ids=["fresh", "from-the-check-cache"])
@pytest.mark.parametrize("corpus", CORPORA)
def test_every_page_reads_as_mkdocs_reads_it(corpus, kept, tmp_path):
    content = CORPORA[corpus](tmp_path / "content")
    if kept:
        kept_load(content)
        (catalogue, _), store = kept_load(content)
        assert store.hits > store.misses  # restored (a set or bytes is never kept)
    else:
        catalogue, _ = load_catalogue(content, TODAY)
    taken = read_both_ways(content, catalogue.documents)
    kinds = [d.kind for d in catalogue.documents.values()]
    # Not a test that passes by never taking the parse: every case study and policy page
    # of the real library, and most probes, take it.
    if corpus in ("library", "fixture", "biting"):
        assert taken >= kinds.count("case_study") + kinds.count("policy") > 0
    if corpus == "probes":
        assert taken >= 10


def test_casebooks_parse_is_taken_only_where_it_is_mkdocs_own(tmp_path):
    """Where MkDocs would split or parse differently (another fence, a blank line before
    the YAML, a carriage return, a body it would read as meta, a value casebook refuses
    or cannot copy), the page is left to MkDocs."""
    content = probes(tmp_path / "content")
    catalogue, _ = load_catalogue(content, TODAY)
    casebook = CasebookPlugin()
    casebook._parsed = {u: d for u, d in catalogue.documents.items() if d.front_matter is not None}
    config = mkdocs_config(content, casebook)
    taken = {
        Path(name).stem
        for name in PROBES
        if casebook.on_page_read_source(page=_page(config, content, name), config=config)
    }
    assert taken == {
        "dates",
        "nested",
        "unicode",
        "crlf",
        "bom",
        "rule-in-body",
        "spaces-after-fence",
    }


def test_the_page_owns_its_meta(tmp_path):
    """Plugins and the theme change page.meta (casebook escapes titles in it): the
    catalogue's documents must not change with it."""
    content = probes(tmp_path / "content")
    catalogue, _ = load_catalogue(content, TODAY)
    document = catalogue.documents["case_studies/nested.md"]
    before = repr(document.meta)
    casebook = CasebookPlugin()
    casebook._parsed = {document.src_uri: document}
    config = mkdocs_config(content, casebook)
    page = _page(config, content, document.src_uri)
    page.read_source(config)
    casebook._give_meta(page.markdown, page=page, config=config, files=None)
    assert page.meta == document.meta
    page.meta["title"] = "Changed"
    page.meta["themes"].append("changed")
    page.meta["extra"]["levels"]["one"][4]["deep"].append("changed")
    assert repr(document.meta) == before


def test_text_that_get_data_would_change_is_left_to_mkdocs():
    """A carriage return (kept in a generated file's content, which no universal-newline
    read has normalised) would come back from get_data as a newline."""
    from casebook.mkdocs_internals import read_source

    front = "\ntitle: T\n"
    assert read_source("---\ntitle: T\n---\n\n# Body\n", front, {"title": "T"}) == (
        "# Body\n",
        {"title": "T"},
    )
    assert read_source("---\ntitle: T\n---\n\n# Body\rmore\n", front, {"title": "T"}) is None


# -- through the real build ----------------------------------------------------------------


def build_twice(content: Path, root: Path, strict: bool):
    """The site built with the reuse on and off, each with no cache from before; and the
    pages that took casebook's parse in each."""
    results, taken = {}, {"on": [], "off": []}
    original = CasebookPlugin.on_page_read_source

    def read_source(self, *, page, config):
        found = original(self, page=page, config=config)
        if found is not None:
            taken["on" if self.config.reuse_front_matter else "off"].append(page.file.src_uri)
        return found

    CasebookPlugin.on_page_read_source = read_source  # before the build loads the plugin
    try:
        for name in ("on", "off"):
            shutil.rmtree(root / "build", ignore_errors=True)  # every page rendered afresh
            config = uncached_config(content, root / name, f"reuse_front_matter: {name == 'on'}")
            results[name] = build_in_process(
                content, root / name, root / f"index-{name}", strict=strict, config_file=config
            )
    finally:
        CasebookPlugin.on_page_read_source = original
    return results, taken


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The fixture library with the biting case studies, the probes and a case study that
    fails the check, built with the reuse on and off (not strict: the probes warn)."""
    root = tmp_path_factory.mktemp("reuse")
    content = probes(root / "content")
    shutil.copytree(
        ROOT / "tests/fixtures/biting/case_studies", content / "case_studies", dirs_exist_ok=True
    )
    write(content, "case_studies/fails-check.md", case_with(place="place: nowhere-at-all"))
    return build_twice(content, root, strict=False)


def test_a_site_built_reusing_the_parse_is_the_site_built_without(two_builds):
    results, taken = two_builds
    assert results["on"].ok and results["off"].ok
    assert len(taken["on"]) >= 15 and taken["off"] == []  # on: most pages; off: none
    on, off = every_file(results["on"].site), every_file(results["off"].site)
    assert on.keys() == off.keys() and len(on) > 50
    assert [name for name in on if on[name] != off[name]] == []
    assert pagefind_records(results["on"].site) == pagefind_records(results["off"].site)


def test_a_page_that_fails_the_check_is_handled_as_before(two_builds):
    results, taken = two_builds
    assert "case_studies/fails-check.md" in taken["on"]
    failing = [line for line in results["on"].at("WARNING") if "fails-check.md" in line]
    assert any("nowhere-at-all" in line for line in failing)
    # The same messages, in the same order, with the reuse on and off (but for where each
    # build wrote and how long it took); and the page built from the same front matter.
    lines = {
        name: [
            line.replace(str(result.site), "SITE").replace(str(result.index), "INDEX")
            for line in result.lines
            if "Documentation built in" not in line
        ]
        for name, result in results.items()
    }
    assert lines["on"] == lines["off"]
    page = "case_studies/fails-check/index.html"
    assert every_file(results["on"].site)[page] == every_file(results["off"].site)[page]
    assert b"Delta Project" in every_file(results["on"].site)[page]


def test_a_strict_build_fails_on_it_as_before(tmp_path):
    content = shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    write(content, "case_studies/fails-check.md", case_with(place="place: nowhere-at-all"))
    results, taken = build_twice(content, tmp_path, strict=True)
    assert results["on"].error and results["on"].error == results["off"].error
    assert (
        [line for line in results["on"].at("WARNING") if "fails-check" in line]
        == [line for line in results["off"].at("WARNING") if "fails-check" in line]
        != []
    )


HOOK = """\
from mkdocs.plugins import event_priority


@event_priority(100)  # before casebook's: of several sources, MkDocs takes the last
def on_page_read_source(page, config):
    if page.file.src_uri == "case_studies/alpha-network.md":
        return "---\\ntitle: From The Hook\\n---\\n\\nThe hook's own words.\\n"
    return None
"""


def test_beside_another_reader_of_sources_casebook_reads_none(tmp_path):
    """A plugin or hook with its own on_page_read_source keeps the pages it gives."""
    content = shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    hook = write(tmp_path, "hook.py", HOOK)
    config = uncached_config(content, tmp_path / "site", "reuse_front_matter: true")
    config.write_text(config.read_text("utf-8") + f"\nhooks:\n  - {hook}\n", "utf-8")
    taken = []
    original = CasebookPlugin.on_page_read_source

    def read_source(self, *, page, config):
        found = original(self, page=page, config=config)
        taken.extend([page.file.src_uri] if found is not None else [])
        return found

    CasebookPlugin.on_page_read_source = read_source
    try:
        result = build_in_process(
            content, tmp_path / "site", tmp_path / "index", strict=False, config_file=config
        )
    finally:
        CasebookPlugin.on_page_read_source = original
    assert result.ok and taken == []
    page = (tmp_path / "site/case_studies/alpha-network/index.html").read_text("utf-8")
    assert "From The Hook" in page and "The hook's own words." in page
