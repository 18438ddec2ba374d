"""Open data from a real build: the Atom feed, the CSV, JSON-LD and the sitemap."""

import csv
import json
import re

import feedparser
import pytest

from .conftest import run_mkdocs_build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import shutil

    from .conftest import FIXTURE_CONTENT

    root = tmp_path_factory.mktemp("open-data")
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    result = run_mkdocs_build(root / "content", root / "site", root / "index")
    assert result.returncode == 0, result.stderr
    return root / "site"


def records(site):
    return json.loads((site / "data/case_studies.json").read_text(encoding="utf-8"))


def test_feed_is_accepted_by_a_feed_reader_newest_first(built):
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    titles = [entry.title for entry in feed.entries]
    assert sorted(titles) == sorted(r["title"] for r in records(built))  # every case study
    assert titles[:2] == ["Beta Connections", "Alpha Network"]  # by published, newest first
    beta = feed.entries[0]
    assert beta.link == "http://127.0.0.1:8000/case_studies/beta-connections/"
    assert {tag.term for tag in beta.tags} >= {"collaborative-working", "inverclyde"}


def test_every_page_links_the_feed(built):
    page = (built / "case_studies/alpha-network/index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in page and 'href="../../feed.xml"' in page


def test_csv_has_one_row_per_case_study_with_lists_joined(built):
    text = (built / "data/case_studies.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    exported = records(built)
    assert [row["slug"] for row in rows] == [r["slug"] for r in exported]
    alpha = rows[0]
    assert alpha["themes"] == "collaborative-working; culture-shift"
    assert alpha["partners"] == "Alpha Trust; Shared Partner"
    assert alpha["started"] == "2015" and rows[2]["started"] == ""


def test_case_study_pages_carry_schema_org_article_json_ld(built):
    page = (built / "case_studies/alpha-network/index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == "Alpha Network"
    assert data["url"] == "http://127.0.0.1:8000/case_studies/alpha-network/"
    assert {"@type": "AdministrativeArea", "name": "Glasgow City"} in data["spatialCoverage"]
    assert "Culture shift" in data["keywords"]
    assert {"@type": "Thing", "name": "Effective sharing of resource among partners"} in (
        data["about"]
    )
    assert data["datePublished"] == "2026-11-01"
    assert data["citation"]["name"] == "Test Report"


def test_sitemap_lists_every_page_generated_ones_included(built):
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    listed = set(re.findall(r"<loc>http://127\.0\.0\.1:8000/(.*?)</loc>", sitemap))
    pages = {str(path.parent.relative_to(built)) + "/" for path in built.rglob("index.html")}
    pages = {"" if page == "./" else page for page in pages} - {"404/"}
    assert pages <= listed, pages - listed
    assert {"themes/culture-shift/", "partners/shared-partner/", "case_studies/"} <= listed


def test_compact_filter_data_decodes_to_the_export(built):
    """The catalogue's filters load data/catalogue.json; decoded, it must say exactly what
    the full export says about every case study's facets and partners."""
    from casebook.content.text import slugify

    data = json.loads((built / "data/catalogue.json").read_text(encoding="utf-8"))
    fields = list(data["facets"])
    assert fields == ["themes", "principles", "place", "programme", "focus"]
    decoded = {}
    for slug, positions, partners, published, started in data["cases"]:
        decoded[slug] = {
            field: [data["facets"][field][i] for i in positions[n]]
            for n, field in enumerate(fields)
        }
        decoded[slug].update(published=published or None, started=started)
        decoded[slug]["partners"] = [data["partners"][i] for i in partners]
    for record in records(built):
        expected = {
            "published": record["published"],
            "started": record["started"],
            "themes": record["themes"],
            "principles": record["principles"],
            "place": [record["place"]] if record["place"] else [],
            "programme": [record["programme"]] if record["programme"] else [],
            "focus": [slugify(f) for f in record["focus"]],
            "partners": record["partners"],
        }
        assert decoded[record["slug"]] == expected
    assert data["labels"]["themes"][data["facets"]["themes"].index("culture-shift")] == (
        "Culture shift"
    )


def test_json_objects_and_csv_columns_follow_one_field_list(built):
    from casebook.site.export import EXPORT_FIELDS

    assert all(list(record) == list(EXPORT_FIELDS) for record in records(built))
    header = (built / "data/case_studies.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(EXPORT_FIELDS)
