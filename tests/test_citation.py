"""Citations: the APA-like text and the BibTeX, RIS and CSL-JSON files, each read back by
a parser for its format, with titles written to break them."""

import datetime as dt
import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from casebook.content.model import CaseStudy, Source
from casebook.site.citation import (
    bibtex,
    citation_files,
    citation_text,
    citation_view,
    csl_json,
    published_address,
    ris,
)

HOSTILE_TITLES = [
    "Plain title",
    'Braces {and} "quotes" & 50% of #1 $5 a_b ^ ~ back\\slash',
    "Unbalanced } then {",
    "Gàidhlig: Comhairle nan Eilean Siar – “care” ≠ cure",
    "Trailing backslash \\",
]
SITE = "https://example.org/casebook/"


def make_case(title: str, published=dt.date(2024, 3, 5)) -> CaseStudy:
    source = Source(title='A "Report" {v2} & 10%', publisher="Trust & Co", year=2019)
    return CaseStudy(
        slug="a-case",
        src_uri="case_studies/a-case.md",
        title=title,
        summary="",
        terms={},
        published=published,
        source=source,
        sources=(source,),
    )


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_bibtex_reads_back_to_the_same_title_and_date(title):
    library = bibtexparser.parse_string(
        bibtex(make_case(title), SITE), append_middleware=[LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc" and entry.key == "casebook-a-case"
    decoded = entry["title"]
    if decoded.startswith("{") and decoded.endswith("}") and not title.startswith("{"):
        decoded = decoded[1:-1]  # the protective braces, if the decoder leaves them
    # pylatexenc reads \textasciicircum{} as U+02C6, the modifier letter; LaTeX prints "^"
    assert decoded.replace("\u02c6", "^") == title.strip()
    assert entry["year"] == "2024" and entry["date"] == "2024-03-05"
    assert entry["url"] == SITE + "case_studies/a-case/"
    assert 'A "Report" {v2} & 10%' in entry["note"]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_ris_reads_back_to_the_same_fields(title):
    (record,) = rispy.loads(ris(make_case(title), SITE))
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == title.strip()
    assert record["authors"] == ["Casebook"]
    assert record["year"] == "2024" and record["date"] == "2024/03/05"
    assert record["urls"] == [SITE + "case_studies/a-case/"]


def test_ris_keeps_one_field_a_line_whatever_the_title():
    # validation refuses a line break in a title; the writer must not depend on that
    (record,) = rispy.loads(ris(make_case("Two\nlines\r\nER  - here"), SITE))
    assert record["title"] == "Two lines ER - here"


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_csl_json_has_the_required_fields_and_the_title_as_written(title):
    (item,) = json.loads(csl_json(make_case(title), SITE))
    assert {"id", "type", "title"} <= set(item)
    assert item["type"] == "webpage" and item["id"] == "casebook-a-case"
    assert item["title"] == title
    assert item["issued"] == {"date-parts": [[2024, 3, 5]]}
    assert item["URL"] == SITE + "case_studies/a-case/"


def test_text_is_apa_like_with_the_published_date_and_the_source_year():
    text = citation_text(make_case("Beta"), SITE)
    assert text == (
        "Casebook. (2024, March 5). Beta [Case study]. "
        "https://example.org/casebook/case_studies/a-case/ "
        'Based on: A "Report" {v2} & 10% (Trust & Co, 2019).'
    )
    assert "(n.d.)" in citation_text(make_case("Beta", published=None), SITE)


@pytest.mark.parametrize(
    "site_url",
    ["", "http://127.0.0.1:8000/", "http://localhost:8000/", "http://[::1]:8000/", "/"],
)
def test_no_loopback_or_missing_address_is_ever_cited(site_url):
    case = make_case("Beta")
    assert published_address(site_url, case) == ""
    written = [citation_text(case, site_url), bibtex(case, site_url), ris(case, site_url)]
    written.append(csl_json(case, site_url))
    for text in written:
        assert "127.0.0.1" not in text and "localhost" not in text and "::1" not in text
        assert "case_studies/a-case" not in text  # no address at all, not a wrong one
    assert "URL" not in json.loads(csl_json(case, site_url))[0]
    view = citation_view(case, site_url)
    assert not view.has_address


def test_downloads_are_relative_to_the_case_page_and_every_case_has_each_file(content):
    from casebook.content.catalogue import load_catalogue

    view = citation_view(make_case("Beta"), SITE)
    assert view.has_address
    assert [(d.label, d.url) for d in view.downloads] == [
        ("BibTeX", "../../data/cite/a-case.bib"),
        ("RIS", "../../data/cite/a-case.ris"),
        ("CSL-JSON", "../../data/cite/a-case.json"),
    ]
    catalogue, _ = load_catalogue(content)
    files = citation_files(catalogue, SITE)
    assert len(files) == 3 * len(catalogue.case_studies)
    for case in catalogue.case_studies:
        assert f"data/cite/{case.slug}.bib" in files
