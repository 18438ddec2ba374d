"""Integration: real `mkdocs build --strict` runs over small content trees, in this
process (MkDocs' Python API), asserting the lines a contributor sees."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from casebook.content.catalogue import load_catalogue

from .conftest import (
    FIXTURE_CONTENT,
    VALID_CASE,
    build_in_process,
    errors,
    pagefind_records,
    site_config,
    write,
)


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    """The fixture content built once, strictly, for every test that only reads it."""
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    result = build_in_process(root / "content", root / "site", root / "index")
    assert result.ok, "\n".join(result.lines)
    return result


@pytest.fixture
def built(fixture_build):
    return fixture_build.site


def html(site, url):
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_every_term_in_use_has_its_page(built):
    for url in [
        "themes/collaborative-working",
        "themes/lived-experience",
        "principles/citizen-agency",
        "places/inverclyde",
        "places/glasgow-city",
        "places/scotland",
        "programmes/provider-collaborations",
        "partners/shared-partner",
        "focus/people-sleeping-rough",
        "themes",
        "principles",
        "places",
        "partners",
    ]:
        assert (built / url / "index.html").is_file(), url
    assert not (built / "places/highland").exists()  # declared but unused: no page


def test_term_pages_link_to_case_studies_and_back(built):
    theme = html(built, "themes/collaborative-working")
    assert 'href="../../case_studies/alpha-network/"' in theme
    assert 'href="../../case_studies/beta-connections/"' in theme
    case = html(built, "case_studies/alpha-network")
    assert 'href="../../themes/collaborative-working/"' in case
    assert 'href="../../principles/sharing-resources/"' in case


def test_policy_pages_list_the_case_studies_that_cite_them_and_back(built):
    policy = html(built, "policy/test-guidance")
    assert "Case studies that relate to this (1)" in policy
    assert 'href="../../case_studies/beta-connections/"' in policy
    assert 'href="../../policy/test-guidance/"' in html(built, "case_studies/beta-connections")
    act = html(built, "policy/test-act")
    assert "Kind: legislation. Year: 2014." in act and 'href="https://example.org/test-act"' in act


def test_case_study_shows_panel_related_source_and_citation(built):
    page = html(built, "case_studies/beta-connections")
    assert 'class="cb-glance"' in page and "<dt>Place</dt>" in page
    related = page.split('id="related-case-studies"')[1].split("</ul>")[0]
    assert re.findall(r'href="\.\./([a-z-]+)/"', related) == ["alpha-network", "gamma-pilot"]
    assert re.findall(r'class="cb-related__why">([^<]*)<', related) == [
        "Why: shares 1 theme, 1 principle, 1 programme and 1 partner; similar text",
        "Why: shares 1 principle",
    ]
    for extension in ("bib", "ris", "json"):  # the citation files, written and linked
        assert (built / f"data/cite/beta-connections.{extension}").is_file()
        assert f'href="../../data/cite/beta-connections.{extension}"' in page
    assert "<em>Test Report</em> (Test Publisher, 2018); used: Part 1." in page
    assert "Beta Connections [Case study]." in page
    # the footer's headings are in the page's table of contents
    toc = page.split('class="md-nav md-nav--secondary"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#([a-z0-9_-]+)"', toc)
    assert anchors[-4:] == [
        "related-case-studies",
        "policy-context",
        "source",
        "cite-this-case-study",
    ]


def test_case_studies_and_terms_stay_out_of_the_nav(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-nav md-nav--primary"')[1].split("</nav>")[0]
    assert "alpha-network" not in nav and "collaborative-working" not in nav


def test_json_export_has_every_case_study_with_the_contracted_fields(built):
    records = json.loads((built / "data/case_studies.json").read_text(encoding="utf-8"))
    assert [r["slug"] for r in records] == ["alpha-network", "beta-connections", "gamma-pilot"]
    alpha = records[0]
    assert set(alpha) >= {
        "slug",
        "title",
        "url",
        "summary",
        "place",
        "themes",
        "principles",
        "partners",
        "programme",
        "started",
        "focus",
        "policies",
    }
    assert alpha["url"] == "case_studies/alpha-network/"
    assert alpha["place"] == "glasgow-city" and alpha["started"] == 2015
    assert alpha["partners"] == ["Alpha Trust", "Shared Partner"]
    for record in records:
        assert (built / record["url"] / "index.html").is_file()


def test_strict_build_fails_with_the_same_messages_as_check(content, tmp_path):
    write(
        content,
        "case_studies/delta.md",
        VALID_CASE.replace("  - collaborative-working", "  - colaborative-working"),
    )
    result = build_in_process(content, tmp_path / "site", tmp_path / "index")
    assert result.error == "Aborted with 1 warnings in strict mode!"
    _, problems = load_catalogue(content)
    assert (
        result.at("WARNING")
        == [f"WARNING -  casebook: {p}" for p in errors(problems)]
        == [
            f"WARNING -  casebook: {content}/case_studies/delta.md:6: unknown theme "
            "'colaborative-working' in 'themes' (did you mean 'collaborative-working'?); see "
            "themes in content/taxonomy.yml"
        ]
    )
    # a strict build that warned publishes no search index (issue 18)
    assert "INFO    -  casebook: strict build has warnings: the previous search index is kept" in (
        result.lines
    )
    assert not (tmp_path / "index").exists()


def test_the_build_log_is_short_and_advice_does_not_fail_a_strict_build(fixture_build):
    """The whole log a contributor sees for the fixture tree: no warning, MkDocs' three
    lines, one line per piece of advice (the short bodies: INFO, so --strict passes), one
    line for the pages outside the nav, and the index's report."""
    content = fixture_build.site.parent / "content" / "case_studies"
    sections = "missing the template's section headings"
    headings = ["'## What they did'", "'## How they work together'", "'## What changed'"]
    headings += ["'## Challenges'", "'## Learning for others'"]
    advice = "; add each as a line of its own (see `casebook new` or CONTRIBUTING.md)"
    short = (
        "warning: the body has {} words; a case study needs at least 300 to say what was "
        "done, how and what changed"
    )
    casebook = "INFO    -  casebook: "
    assert [line for line in fixture_build.lines if "Documentation built in" not in line] == [
        "INFO    -  Cleaning site directory",
        f"INFO    -  Building documentation to directory: {fixture_build.site}",
        f"{casebook}{content}/alpha-network.md:27: warning: {sections} "
        + ", ".join(headings[1:])
        + advice,
        f"{casebook}{content}/alpha-network.md:27: {short.format(16)}",
        f"{casebook}{content}/beta-connections.md:13: warning: {sections} "
        + ", ".join(headings)
        + advice,
        f"{casebook}{content}/beta-connections.md:13: {short.format(21)}",
        f"{casebook}{content}/gamma-pilot.md:10: warning: {sections} "
        + ", ".join(headings)
        + advice,
        f"{casebook}{content}/gamma-pilot.md:10: {short.format(14)}",
        f"{casebook}27 pages (case studies, policy and term pages) are linked from index "
        "pages rather than the nav; `mkdocs build -v` lists them",
        f"{casebook}search index rebuilt: 21 added, 0 changed, 0 removed, 0 unchanged",
    ]
    assert re.fullmatch(
        r"INFO    -  Documentation built in \d+\.\d\d seconds", fixture_build.lines[-1]
    )


def test_non_strict_build_still_publishes_a_page_with_problems(content, tmp_path):
    write(content, "case_studies/delta.md", VALID_CASE.replace("place: inverclyde", "place: x"))
    site = tmp_path / "site"
    result = build_in_process(content, site, tmp_path / "index", strict=False)
    assert result.ok
    assert result.at("WARNING") == [
        f"WARNING -  casebook: {content}/case_studies/delta.md:4: unknown place 'x' in "
        "'place'; see places in content/taxonomy.yml"
    ]
    assert (site / "case_studies/delta/index.html").is_file()
    assert "delta" in [r["slug"] for r in json.loads((site / "data/case_studies.json").read_text())]


def test_casebook_build_keeps_the_previous_site_when_a_build_fails(content, tmp_path):
    config = site_config(content, tmp_path / "unused")
    site, index = tmp_path / "out/site", tmp_path / "out/search_index"
    command = [
        sys.executable,
        "-m",
        "casebook",
        "build",
        "--config",
        str(config),
        "--site-dir",
        str(site),
        "--index-dir",
        str(index),
    ]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    write(content, "case_studies/delta.md", VALID_CASE.replace("place: inverclyde", "place: x"))
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 1
    assert "previous site" in second.stderr and "is unchanged" in second.stderr
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(site.parent.glob(".staging-*"))


def markup_in(html_text: str) -> tuple[set[str], list[tuple[str, str | None]]]:
    """Every tag name and attribute in a fragment, as a browser's parser would see them."""
    from html.parser import HTMLParser

    tags: set[str] = set()
    attributes: list[tuple[str, str | None]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)
            attributes.extend(attrs)

    Collector().feed(html_text)
    return tags, attributes


HOSTILE_BODY = """\
Words.

<script>alert('script')</script>
<iframe src="https://example.org/frame"></iframe>
<object data="movie.swf"></object>
<embed src="x.swf">
<style>body { display: none }</style>
<img src="x.png" onerror="alert('img')">
<div onclick="alert('div')" onmouseover="alert('over')">hover</div>
[click me](javascript:alert('link'))
<a href="javascript:alert('anchor')">anchor</a>
<a href=" JaVaScRiPt:alert('spaced')">spaced</a>
<form action="javascript:alert('form')"><button formaction="javascript:x">go</button></form>
<svg><script>alert('svg')</script></svg>
<math><mi xlink:href="javascript:alert('math')">m</mi></math>
<IMG SRC=x ONERROR=alert('upper')>
"""


def test_built_html_contains_no_hostile_construct_whatever_slipped_through(content, tmp_path):
    write(content, "case_studies/delta.md", VALID_CASE.replace("A body with words.", HOSTILE_BODY))
    site = tmp_path / "site"
    result = build_in_process(content, site, tmp_path / "index", strict=False)
    assert result.ok, "\n".join(result.lines)
    page = (site / "case_studies/delta/index.html").read_text(encoding="utf-8")
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert "Words." in article and "hover" in article  # the harmless text survives
    tags, attributes = markup_in(article)
    assert not tags & {"script", "iframe", "object", "embed", "style", "frame", "applet"}
    assert not [name for name, _ in attributes if name.startswith("on") or name == "formaction"]
    assert not [
        value
        for _, value in attributes
        if value and value.strip().lower().startswith(("javascript:", "vbscript:"))
    ]
    # and casebook check flagged them, so a strict build would have failed
    _, problems = load_catalogue(content)
    assert result.at("WARNING") == [f"WARNING -  casebook: {p}" for p in errors(problems)]
    warned = "\n".join(result.at("WARNING"))
    assert "raw HTML <script>" in warned and "'javascript:' links" in warned


def test_every_internal_link_in_the_built_site_resolves(built):
    """Generated lists are raw HTML with final URLs (MkDocs does not check those), so the
    whole site is checked here."""
    from html.parser import HTMLParser
    from urllib.parse import urljoin, urlsplit

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.hrefs.extend(value for name, value in attrs if name == "href" and value)

    broken = []
    pages = list(built.rglob("*.html"))
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = "/" + str(page.relative_to(built))
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = built / urlsplit(urljoin(base, href)).path.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((base, href))
    assert len(pages) > 30 and broken == []


def test_the_site_carries_a_static_index_of_every_word(built):
    records = pagefind_records(built)
    alpha = records["/case_studies/alpha-network/"]
    assert "formed one team" in alpha["content"]  # a phrase only in the body
    assert alpha["meta"]["title"] == "Alpha Network"
    assert alpha["filters"]["kind"] == ["case_study"]
    assert alpha["filters"]["case"] == ["alpha-network"]
    assert "collaborative-working" in alpha["filters"]["themes"]
    assert "Collaborative working" in alpha["content"]  # its terms' labels
    assert records["/policy/test-act/"]["filters"]["kind"] == ["policy"]
    theme = records["/themes/collaborative-working/"]  # term pages, found by name
    assert (
        theme["filters"]["kind"] == ["term"] and theme["meta"]["title"] == "Collaborative working"
    )
    assert (built / "pagefind/pagefind.js").is_file()
    assert not (built / "pagefind/pagefind-ui.js").exists()  # Pagefind's own UI is not used
    vocabulary = json.loads((built / "pagefind/casebook-vocabulary.json").read_text())
    assert "formed" in vocabulary["words"].split(" ")
    # Material's own index is left empty: its plugin stays only for the header's dialog
    material = json.loads((built / "search/search_index.json").read_text(encoding="utf-8"))
    assert material["docs"] == []
    assert "formed one team" in html(built, "case_studies/alpha-network")


def test_the_search_page_works_without_javascript_only_as_a_signpost(built):
    page = html(built, "search")
    assert 'id="cb-search-nojs"' in page and "Searching needs JavaScript" in page
    assert 'href="../case_studies/"' in page and 'href="../themes/"' in page
    assert 'action="./" method="get"' in page
    assert 'name="themes" value="collaborative-working"' in page
    header = html(built, "case_studies/alpha-network")
    assert 'id="cb-header-search"' in header and 'role="dialog"' in header
    assert "<noscript>Searching needs JavaScript" in header
    assert 'data-md-component="search"' not in header  # Material's own search stays off


def test_every_valid_content_file_is_in_the_site_the_export_and_the_index(content, tmp_path):
    from whoosh import index as whoosh_index

    write(content, "case_studies/delta.md", VALID_CASE)
    site, index = tmp_path / "site", tmp_path / "index"
    assert build_in_process(content, site, index).ok
    files = sorted(p.stem for p in (content / "case_studies").glob("*.md"))
    exported = sorted(r["slug"] for r in json.loads((site / "data/case_studies.json").read_text()))
    pages = sorted(p.parent.name for p in (site / "case_studies").glob("*/index.html"))
    with whoosh_index.open_dir(str(index)).searcher() as searcher:
        indexed = sorted(
            fields["slug"]
            for fields in searcher.all_stored_fields()
            if fields["kind"] == "case_study"
        )
    assert (
        files
        == exported
        == pages
        == indexed
        == ["alpha-network", "beta-connections", "delta", "gamma-pilot"]
    )


def test_a_project_under_a_hidden_folder_builds_every_case_study(tmp_path):
    """Only paths inside the content directory decide what is hidden (~/.src/casebook)."""
    content = tmp_path / ".src" / "casebook" / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    site = tmp_path / "site"
    result = build_in_process(content, site, tmp_path / "index")
    assert result.ok, "\n".join(result.lines)
    exported = sorted(r["slug"] for r in json.loads((site / "data/case_studies.json").read_text()))
    assert exported == ["alpha-network", "beta-connections", "gamma-pilot"]
    assert "At a glance" in html(site, "case_studies/alpha-network")


def test_a_strict_build_whose_search_cannot_be_built_fails_cleanly(content, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    result = build_in_process(content, tmp_path / "site", tmp_path / "index")
    assert result.error == "Aborted with 1 warnings in strict mode!"
    assert result.at("WARNING") == [
        "WARNING -  casebook: the site's search could not be built: Pagefind could not build "
        "the search bundle: it stopped with exit status 1"
    ]
