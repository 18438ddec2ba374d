"""Fixtures that bite (issue 18, item 3): values holding , " < & <!-- </script>, non-ASCII
and right-to-left text, and how each lands in every published form; and case studies that
share query words in different fields, so a change to the search's weights changes which
comes first. The files are in tests/fixtures/biting/, laid over the fixture content tree;
every one passes `casebook check`, so the site is built once, strictly, in this process."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from casebook.content.catalogue import load_catalogue
from casebook.search.whoosh_index import SearchIndex, search_documents, update_index
from casebook.site.export import json_for_script

from .conftest import FIXTURE_CONTENT, ROOT, TODAY, build_in_process, pagefind_records

BITING = ROOT / "tests" / "fixtures" / "biting"

# kin-and-carers.md's values, as YAML reads them
TITLE = 'Carers, "Kin" & Co: fewer than < 5 waits'
SUMMARY = 'Àite & cùram, "together"; < 5 days: مرحبا بكم and שלום'
PARTNERS = ['Smith, Jones & "Co"', "Comhairle nan Eilean Siar"]


def biting_content(target: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, target)
    for path in (BITING / "case_studies").glob("*.md"):
        shutil.copyfile(path, target / "case_studies" / path.name)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("biting")
    content = biting_content(root / "content")
    result = build_in_process(content, root / "site", root / "index")
    assert result.ok, "\n".join(result.lines)
    return result


def page(built, url: str) -> str:
    return (built.site / url / "index.html").read_text(encoding="utf-8")


def test_every_biting_file_passes_the_check(tmp_path):
    _, problems = load_catalogue(biting_content(tmp_path / "content"), today=TODAY)
    assert [str(p) for p in problems if p.is_error] == []


# -- each value, exactly, in each published form --------------------------------------------


def test_csv_cells_give_each_value_back_whole(built):
    text = (built.site / "data/case_studies.csv").read_text(encoding="utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    row = rows["kin-and-carers"]
    assert (row["title"], row["summary"]) == (TITLE, SUMMARY)
    assert row["partners"] == "; ".join(PARTNERS)
    assert row["focus"] == "carers & kin"
    # quoted as RFC 4180 says (a spreadsheet reads the same), not escaped with backslashes
    assert '"Carers, ""Kin"" & Co: fewer than < 5 waits"' in text
    assert "\\" not in text


def test_the_json_export_gives_each_value_back(built):
    records = json.loads((built.site / "data/case_studies.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["slug"] == "kin-and-carers")
    assert (record["title"], record["summary"], record["partners"]) == (TITLE, SUMMARY, PARTNERS)


def json_ld(html: str) -> str:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_json_ld_holds_no_markup_and_reads_back_as_written(built):
    block = json_ld(page(built, "case_studies/kin-and-carers"))
    assert not set("<>&") & set(block)
    data = json.loads(block)
    assert (data["headline"], data["description"]) == (TITLE, SUMMARY)
    assert [c["name"] for c in data["contributor"]] == PARTNERS
    assert data["citation"]["name"] == 'Kin, "Care" & Co: a report'


@pytest.mark.parametrize(
    "value",
    ["</script><script>alert(1)</script>", "<!-- x", "a </SCRIPT > b", "&amp; \u2028 \u2029 é"],
)
def test_json_for_a_script_element_cannot_end_it_and_reads_back(value):
    text = json_for_script({"headline": value})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"headline": value}


def test_the_feed_gives_each_value_back(built):
    feed = feedparser.parse((built.site / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.link.endswith("/kin-and-carers/"))
    assert (entry.title, entry.summary) == (TITLE, SUMMARY)


ESCAPED_TITLE = "Carers, &#34;Kin&#34; &amp; Co: fewer than &lt; 5 waits"


def test_the_page_shows_each_value_escaped_once(built):
    html = page(built, "case_studies/kin-and-carers")
    assert f"<title>{ESCAPED_TITLE} - Casebook</title>" in html
    assert re.search(rf"<h1[^>]*>{re.escape(ESCAPED_TITLE)}", html)
    assert (
        '<meta name="description" content="Àite &amp; cùram, &#34;together&#34;; &lt; 5 days: '
        'مرحبا بكم and שלום">' in html
    )
    # the body: Markdown's text, escaped by the renderer; code spans as text
    assert (
        '<p>Fewer than &lt; 5 &amp; "always" <code>&lt;!--</code> in the lantern rota, and '
        "<code>&lt;/script&gt;</code> &amp; <code>&lt;b&gt;</code> stay\ntext. Ceòl agus "
        "craic; مرحبا بكم.</p>"
    ) in html
    for twice in ("&amp;amp;", "&amp;lt;", "&amp;#34;", "&amp;quot;", "&amp;gt;"):
        assert twice not in html, twice
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<!--" not in article  # the content opened no comment


def test_the_static_index_holds_the_values_as_text(built):
    record = pagefind_records(built.site)["/case_studies/kin-and-carers/"]
    assert record["meta"]["title"] == TITLE
    assert (
        'Fewer than < 5 & "always" <!-- in the lantern rota, and & stay text.'
        in (record["content"])
    )


def test_a_search_snippet_escapes_the_body_once_and_marks_the_match(built):
    hit = SearchIndex(built.index).search("lantern").hits[0]
    assert hit.slug == "kin-and-carers"
    # (the search text drops what looks like a tag, `</script>` and `<b>`, even in code)
    assert hit.snippet == (
        "Fewer than &lt; 5 &amp; &quot;always&quot; &lt;!-- in the "
        '<mark class="match">lantern</mark> rota, and &amp; stay text. Ceòl agus craic; '
        "مرحبا بكم."
    )
    assert hit.title == TITLE  # JSON text: the page that shows it escapes it


# -- ranking: the same words in different fields of different pages ----------------------


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("biting-index")
    catalogue, _ = load_catalogue(biting_content(root / "content"), today=TODAY)
    update_index(root / "index", search_documents(catalogue), list(catalogue.taxonomies))
    return SearchIndex(root / "index")


@pytest.mark.parametrize(
    "query,first",
    [
        # one page has the word once in its title, another three times in its body
        ("lighthouse", ["lighthouse-keepers", "harbour-watch"]),
        # a phrase in one page's heading, and three times in another's body
        ("night shelter", ["night-rota", "winter-beds"]),
        ('"night shelter"', ["night-rota", "winter-beds"]),
    ],
)
def test_a_title_or_heading_outranks_the_same_words_in_a_body(index, query, first):
    assert [hit.slug for hit in index.search(query).hits][:2] == first
