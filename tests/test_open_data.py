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


# -- mutation testing (issue 18): site/export.py in process, each file as a reader gets it --

SITE = "https://example.org/casebook/"


@pytest.fixture(scope="module")
def catalogue():
    from casebook.content.catalogue import load_catalogue

    from .conftest import FIXTURE_CONTENT, TODAY

    catalogue, _ = load_catalogue(FIXTURE_CONTENT, today=TODAY)
    return catalogue


@pytest.fixture(scope="module")
def hostile_catalogue(tmp_path_factory):
    """The fixture library plus a case study whose title and summary hold a comma, quotes,
    an ampersand, non-ASCII and a spreadsheet formula."""
    import shutil

    from casebook.content.catalogue import load_catalogue

    from .conftest import FIXTURE_CONTENT, TODAY, VALID_CASE

    content = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    hostile = VALID_CASE.replace(
        "title: Delta Project", 'title: "Café, \\"quoted\\" & more"'
    ).replace("summary: A valid test case study.", 'summary: "=HYPERLINK(\\"http://evil\\")"')
    hostile = hostile.replace("started: 2016", "started: 2016\nfocus: [Café culture]")
    (content / "case_studies" / "delta.md").write_text(hostile, encoding="utf-8")
    catalogue, problems = load_catalogue(content, today=TODAY)
    assert [p for p in problems if p.is_error] == []
    return catalogue


ALPHA_RECORD = {
    "slug": "alpha-network",
    "title": "Alpha Network",
    "url": "case_studies/alpha-network/",
    "summary": "A test network of homelessness charities in Glasgow sharing one keyworker team.",
    "place": "glasgow-city",
    "themes": ["collaborative-working", "culture-shift"],
    "principles": ["sharing-resources"],
    "partners": ["Alpha Trust", "Shared Partner"],
    "programme": "provider-collaborations",
    "started": 2015,
    "focus": ["people sleeping rough"],
    "policies": ["test-act"],
    "published": "2026-11-01",
}


def test_the_json_export_holds_every_field_of_every_case_study_in_order(catalogue):
    from casebook.site.export import case_studies_json

    text = case_studies_json(catalogue)
    records = json.loads(text)
    assert [r["slug"] for r in records] == ["alpha-network", "beta-connections", "gamma-pilot"]
    assert records[0] == ALPHA_RECORD
    assert list(records[0]) == list(ALPHA_RECORD)  # the documented field order
    # a case with no programme, start, focus, policies or date has nulls and empty lists
    assert {key: records[2][key] for key in ("programme", "started", "focus", "published")} == {
        "programme": None,
        "started": None,
        "focus": [],
        "published": None,
    }
    assert records[2]["policies"] == [] and records[2]["place"] == "scotland"
    assert text.startswith('[{"slug":"alpha-network","title":"Alpha Network",')  # compact


def test_the_json_export_keeps_non_ascii_text_as_written(hostile_catalogue):
    from casebook.site.export import case_studies_json

    text = case_studies_json(hostile_catalogue)
    assert '"title":"Café, \\"quoted\\" & more"' in text


def test_the_csv_is_the_export_row_by_row_with_lists_joined_and_empty_cells(catalogue):
    from casebook.site.export import case_studies_csv

    assert case_studies_csv(catalogue).splitlines() == [
        "slug,title,url,summary,place,themes,principles,partners,programme,started,focus,"
        "policies,published",
        "alpha-network,Alpha Network,case_studies/alpha-network/,A test network of "
        "homelessness charities in Glasgow sharing one keyworker team.,glasgow-city,"
        "collaborative-working; culture-shift,sharing-resources,Alpha Trust; Shared Partner,"
        "provider-collaborations,2015,people sleeping rough,test-act,2026-11-01",
        "beta-connections,Beta Connections,case_studies/beta-connections/,A test "
        "collaboration in Inverclyde connecting people to community activities.,inverclyde,"
        "collaborative-working; lived-experience,citizen-agency; sharing-resources,"
        "Beta Group; Shared Partner,provider-collaborations,,,test-act; test-guidance,"
        "2026-11-02",
        "gamma-pilot,Gamma Pilot,case_studies/gamma-pilot/,A test national pilot on "
        "leadership.,scotland,culture-shift,citizen-agency,Gamma Team; Another Body,,,,,",
    ]


def test_a_csv_cell_with_commas_quotes_or_a_formula_reads_back_as_text(hostile_catalogue):
    from casebook.site.export import case_studies_csv

    text = case_studies_csv(hostile_catalogue)
    assert "\r" not in text  # one line ending throughout, as in the other files
    rows = list(csv.DictReader(text.splitlines()))
    delta = next(row for row in rows if row["slug"] == "delta")
    assert delta["title"] == 'Café, "quoted" & more'
    assert delta["summary"] == '\'=HYPERLINK("http://evil")'  # shown as text, never run


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_start_a_formula_starts_with_a_quote(start):
    from casebook.site.export import csv_cell

    assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(f"a{start}") == f"a{start}"  # only at the start


def test_numbers_stay_numbers_and_nothing_is_an_empty_cell():
    from casebook.site.export import csv_cell

    assert csv_cell(2015) == 2015 and csv_cell(None) == "" and csv_cell("") == ""


def test_the_filter_data_is_term_positions_labels_partners_and_dates(catalogue):
    from casebook.site.export import catalogue_filter_data
    from casebook.site.generate import CATALOGUE_FACETS

    data = json.loads(catalogue_filter_data(catalogue, (*CATALOGUE_FACETS, "no-such")))
    assert data == {
        "version": 2,
        "facets": {
            "themes": ["collaborative-working", "lived-experience", "culture-shift"],
            "principles": ["citizen-agency", "sharing-resources"],
            "place": ["glasgow-city", "inverclyde", "scotland"],
            "programme": ["provider-collaborations"],
            "focus": ["people-sleeping-rough"],
        },
        "labels": {
            "themes": [
                "Collaborative working",
                "Community and lived experience involvement",
                "Culture shift",
            ],
            "principles": ["Citizen agency", "Effective sharing of resource among partners"],
            "place": ["Glasgow City", "Inverclyde", "Scotland (national or several areas)"],
            "programme": ["Provider Collaborations"],
            "focus": ["people sleeping rough"],
        },
        "partners": ["Alpha Trust", "Another Body", "Beta Group", "Gamma Team", "Shared Partner"],
        "cases": [
            ["alpha-network", [[0, 2], [1], [0], [0], [0]], [0, 4], "2026-11-01", 2015],
            ["beta-connections", [[0, 1], [0, 1], [1], [0], []], [2, 4], "2026-11-02", None],
            ["gamma-pilot", [[2], [0], [2], [], []], [3, 1], "", None],
        ],
    }


def test_the_feed_lists_case_studies_newest_first_with_absolute_links(catalogue):
    from xml.etree import ElementTree as ET

    from casebook.site.export import atom_feed

    from .conftest import TODAY

    text = atom_feed(catalogue, SITE, "Casebook", today=TODAY)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns=')
    atom = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(text)
    assert feed.findtext("a:title", namespaces=atom) == "Casebook: case studies"
    assert feed.findtext("a:id", namespaces=atom) == SITE + "feed.xml"
    links = [link.attrib for link in feed.findall("a:link", atom)]
    assert links == [
        {"href": SITE + "feed.xml", "rel": "self", "type": "application/atom+xml"},
        {"href": SITE, "rel": "alternate", "type": "text/html"},
    ]
    assert feed.findtext("a:updated", namespaces=atom) == "2026-11-02T00:00:00Z"  # newest
    assert feed.findtext("a:author/a:name", namespaces=atom) == "Casebook"
    entries = feed.findall("a:entry", atom)
    assert [e.findtext("a:title", namespaces=atom) for e in entries] == [
        "Beta Connections",
        "Alpha Network",
        "Gamma Pilot",  # undated: last
    ]
    beta, _, gamma = entries
    url = SITE + "case_studies/beta-connections/"
    assert beta.findtext("a:id", namespaces=atom) == url
    assert [link.attrib for link in beta.findall("a:link", atom)] == [
        {"href": url, "rel": "alternate", "type": "text/html"}
    ]
    assert beta.findtext("a:updated", namespaces=atom) == "2026-11-02T00:00:00Z"
    assert beta.findtext("a:published", namespaces=atom) == "2026-11-02T00:00:00Z"
    assert beta.findtext("a:summary", namespaces=atom) == (
        "A test collaboration in Inverclyde connecting people to community activities."
    )
    assert [c.attrib for c in beta.findall("a:category", atom)] == [
        {"term": "collaborative-working", "label": "Collaborative working"},
        {"term": "lived-experience", "label": "Community and lived experience involvement"},
        {"term": "inverclyde", "label": "Inverclyde"},
    ]
    # an undated case study is stamped with the day of the build and has no published date
    assert gamma.findtext("a:updated", namespaces=atom) == "2026-11-24T00:00:00Z"
    assert gamma.find("a:published", atom) is None


def test_a_feed_of_undated_case_studies_is_stamped_with_the_build_day(catalogue):
    import datetime as dt
    import types
    from xml.etree import ElementTree as ET

    from casebook.site.export import atom_feed

    undated = types.SimpleNamespace(
        case_studies=[
            types.SimpleNamespace(
                title="Only", url="x/", summary="", published=None, terms={}, slug="x"
            )
        ]
    )
    feed = ET.fromstring(atom_feed(undated, SITE, "Casebook"))
    today = f"{dt.date.today().isoformat()}T00:00:00Z"
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.findtext("a:updated", namespaces=atom) == today
    assert feed.findtext("a:entry/a:updated", namespaces=atom) == today
    assert feed.findtext("a:entry/a:summary", namespaces=atom) == "Only"  # no summary: title


def test_json_ld_describes_the_case_study_and_cites_its_source(catalogue):
    from casebook.site.export import case_study_json_ld

    alpha, _, gamma = catalogue.case_studies
    assert json.loads(case_study_json_ld(catalogue, alpha, SITE, "Casebook")) == {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": "Alpha Network",
        "description": ALPHA_RECORD["summary"],
        "url": SITE + "case_studies/alpha-network/",
        "isPartOf": {"@type": "WebSite", "name": "Casebook", "url": SITE},
        "about": [
            {"@type": "Thing", "name": "Collaborative working"},
            {"@type": "Thing", "name": "Culture shift"},
            {"@type": "Thing", "name": "Effective sharing of resource among partners"},
        ],
        "keywords": [
            "Collaborative working",
            "Culture shift",
            "Effective sharing of resource among partners",
            "people sleeping rough",
        ],
        "spatialCoverage": [{"@type": "AdministrativeArea", "name": "Glasgow City"}],
        "contributor": [
            {"@type": "Organization", "name": "Alpha Trust"},
            {"@type": "Organization", "name": "Shared Partner"},
        ],
        "inLanguage": "en-GB",
        "datePublished": "2026-11-01",
        "citation": {
            "@type": "CreativeWork",
            "name": "Test Report",
            "publisher": {"@type": "Organization", "name": "Test Publisher"},
            "datePublished": "2018",
            "url": "https://example.org/test-report",
        },
    }
    # no date, and a source with no year or address: neither is made up
    gamma_data = json.loads(case_study_json_ld(catalogue, gamma, SITE, "Casebook"))
    assert "datePublished" not in gamma_data
    assert gamma_data["citation"] == {
        "@type": "CreativeWork",
        "name": "Gamma Notes",
        "publisher": {"@type": "Organization", "name": "Gamma Team"},
    }


def test_json_for_a_script_element_holds_no_markup_and_reads_back_the_same():
    from casebook.site.export import json_for_script

    value = {"title": "</script><!-- a & b > c \u2028\u2029 Café"}
    text = json_for_script(value)
    assert not set("<>&\u2028\u2029") & set(text)
    assert "Café" in text
    assert json.loads(text) == value


def test_every_open_data_file_is_published(catalogue):
    from casebook.site.export import open_data_files

    files = open_data_files(catalogue, SITE, "Casebook")
    cites = [
        f"data/cite/{slug}.{ext}"
        for slug in ("alpha-network", "beta-connections", "gamma-pilot")
        for ext in ("bib", "json", "ris")
    ]
    assert sorted(files) == sorted(
        [
            "data/case_studies.json",
            "data/case_studies.csv",
            "data/catalogue.json",
            "data/self-assessment.json",
            "feed.xml",
            *cites,
        ]
    )
    assert json.loads(files["data/case_studies.json"])[0] == ALPHA_RECORD
    assert files["data/case_studies.csv"].startswith("slug,title,url,")
    assert json.loads(files["data/catalogue.json"])["facets"]["place"][0] == "glasgow-city"
    assert f"<id>{SITE}feed.xml</id>" in files["feed.xml"]
    assert "<title>Casebook: case studies</title>" in files["feed.xml"]
    assert f"UR  - {SITE}case_studies/alpha-network/" in files["data/cite/alpha-network.ris"]
    reading = json.loads(files["data/self-assessment.json"])
    assert reading["principles"]["citizen-agency"]["total"] == 2


def test_the_filter_data_is_compact_and_keeps_non_ascii_labels(hostile_catalogue):
    from casebook.site.export import catalogue_filter_data
    from casebook.site.generate import CATALOGUE_FACETS

    text = catalogue_filter_data(hostile_catalogue, CATALOGUE_FACETS)
    assert '"Café culture"' in text
    assert ", " not in text and ": " not in text  # no spaces: it is loaded on every visit


@pytest.fixture(scope="module")
def catalogue_with_themes_and_programmes_only(tmp_path_factory):
    """A library whose taxonomy.yml has only themes and programmes: no principles, places,
    partners or focus. Taxonomies are data, so the exports must not assume any of them."""
    import shutil

    import yaml
    from casebook.content.catalogue import load_catalogue

    from .conftest import FIXTURE_CONTENT, TODAY

    content = tmp_path_factory.mktemp("fewer") / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    taxonomy = yaml.safe_load((content / "taxonomy.yml").read_text(encoding="utf-8"))
    taxonomy = {name: taxonomy[name] for name in ("themes", "programmes")}
    (content / "taxonomy.yml").write_text(
        yaml.safe_dump(taxonomy, sort_keys=False), encoding="utf-8"
    )
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert list(catalogue.taxonomies) == ["themes", "programmes"] and catalogue.case_studies
    return catalogue


def test_with_only_some_taxonomies_the_exports_list_what_there_is(
    catalogue_with_themes_and_programmes_only,
):
    from casebook.site.export import case_study_json_ld, catalogue_filter_data, open_data_files
    from casebook.site.generate import CATALOGUE_FACETS

    catalogue = catalogue_with_themes_and_programmes_only
    files = open_data_files(catalogue, SITE, "Casebook")
    assert "data/self-assessment.json" not in files  # it reads the principles
    alpha = json.loads(files["data/case_studies.json"])[0]
    assert alpha["slug"] == "alpha-network"
    assert (alpha["place"], alpha["principles"], alpha["partners"], alpha["focus"]) == (
        None,
        [],
        [],
        [],
    )
    assert alpha["themes"] == ["collaborative-working", "culture-shift"]
    data = json.loads(catalogue_filter_data(catalogue, CATALOGUE_FACETS))
    assert list(data["facets"]) == ["themes", "programme"]
    assert data["partners"] == [] and data["cases"][0][1:3] == [[[0, 2], [0]], []]
    ld = json.loads(case_study_json_ld(catalogue, catalogue.case_studies[0], SITE, "Casebook"))
    themes = ["Collaborative working", "Culture shift"]
    assert ld["about"] == [{"@type": "Thing", "name": label} for label in themes]
    assert ld["keywords"] == themes
    assert ld["spatialCoverage"] == [] and ld["contributor"] == []


# -- the data files are written by a thread beside the rendering (site/file_writer.py) --


def test_every_data_file_is_written_and_one_that_cannot_be_is_named(tmp_path):
    from casebook.site.file_writer import FileWriter

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cite").write_text("a file where a folder must go")
    files = {"data/a.csv": "a,b\r\n1,2\r\n", "data/cite/x.bib": "@misc{x}", "feed.xml": "<feed/>"}
    problems = FileWriter(tmp_path, files).wait()
    assert len(problems) == 1 and problems[0].startswith("data/cite/x.bib could not be written: ")
    assert (tmp_path / "data/a.csv").read_bytes() == b"a,b\r\n1,2\r\n"  # as given, line ends too
    assert (tmp_path / "feed.xml").read_text() == "<feed/>"


def test_a_full_disk_fails_the_build_naming_the_files_not_a_traceback(
    content, tmp_path, monkeypatch
):
    from casebook.site import file_writer

    from .conftest import build_in_process

    def full_disk(path, *arguments, **keywords):
        if "/data/cite/" in str(path):
            raise OSError(28, "No space left on device")
        return open(path, *arguments, **keywords)

    monkeypatch.setattr(file_writer, "open", full_disk, raising=False)
    result = build_in_process(content, tmp_path / "site", tmp_path / "index")
    full = "could not be written: No space left on device"
    tried = ["alpha-network.bib", "alpha-network.ris", "alpha-network.json", "beta-connections.bib"]
    tried.append("beta-connections.ris")
    assert result.error == "Aborted with a BuildError!"
    assert result.at("ERROR") == [
        "ERROR   -  the site's data files could not be written: "
        + "; ".join(f"data/cite/{name} {full}" for name in tried)
        + "; the rest were not tried"
    ]
    assert not any("Traceback" in line for line in result.lines)
