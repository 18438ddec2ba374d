"""Open data from the Catalogue: the JSON export that the catalogue page, exports and
tests all read, the CSV beside it, the Atom feed and schema.org JSON-LD."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any
from xml.etree import ElementTree as ET

from ..content.model import CaseStudy, Catalogue
from .citation import citation_files
from .generate import CATALOGUE_FACETS, SELF_ASSESSMENT_DATA_URI, self_assessment_data
from .links import absolute_url

EXPORT_URI = "data/case_studies.json"
# The export's fields, in order: the JSON objects and the CSV columns both follow this.
EXPORT_FIELDS = (
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
    "published",
)
CSV_URI = "data/case_studies.csv"
FILTER_DATA_URI = "data/catalogue.json"
FEED_URI = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"


def case_study_record(case: CaseStudy) -> dict[str, Any]:
    def slugs(name: str) -> list[str]:
        return case.term_slugs(name)

    def one(name: str) -> str | None:
        terms = slugs(name)
        return terms[0] if terms else None

    return {
        "slug": case.slug,
        "title": case.title,
        "url": case.url,
        "summary": case.summary,
        "place": one("places"),
        "themes": slugs("themes"),
        "principles": slugs("principles"),
        "partners": [term.label for term in case.terms.get("partners", ())],
        "programme": one("programmes"),
        "started": case.started,
        "focus": [term.label for term in case.terms.get("focus", ())],
        "policies": list(case.policies),
        "published": case.published.isoformat() if case.published else None,
    }


def case_studies_json(catalogue: Catalogue) -> str:
    records = [case_study_record(case) for case in catalogue.case_studies]
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"))


def catalogue_filter_data(catalogue: Catalogue, taxonomy_names: tuple[str, ...]) -> str:
    """What the catalogue page's filters need, and nothing else: for each case study its
    slug, the positions of its terms in each facet's list, its partners' names, its
    publication date and start year (for sorting). Each facet's term labels come once, for
    chips and downloads. Titles and summaries are already in the page's cards. At 1,000
    case studies this is a fraction of the full export (measured in benchmarks/)."""
    taxonomies = [
        catalogue.taxonomies[name] for name in taxonomy_names if name in catalogue.taxonomies
    ]
    facets = {t.field: [term.slug for term in catalogue.terms(t.name)] for t in taxonomies}
    labels = {t.field: [term.label for term in catalogue.terms(t.name)] for t in taxonomies}
    positions = {t.field: {slug: i for i, slug in enumerate(facets[t.field])} for t in taxonomies}
    partners = (
        [term.label for term in catalogue.terms("partners")]
        if "partners" in catalogue.taxonomies
        else []
    )
    partner_positions = {name: i for i, name in enumerate(partners)}
    cases = []
    for case in catalogue.case_studies:
        terms = [
            [
                positions[t.field][slug]
                for slug in case.term_slugs(t.name)
                if slug in positions[t.field]
            ]
            for t in taxonomies
        ]
        named = [
            partner_positions[term.label]
            for term in case.terms.get("partners", ())
            if term.label in partner_positions
        ]
        published = case.published.isoformat() if case.published else ""
        cases.append([case.slug, terms, named, published, case.started])
    data = {
        "version": 2,
        "facets": facets,
        "labels": labels,
        "partners": partners,
        "cases": cases,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def case_studies_csv(catalogue: Catalogue) -> str:
    """One row per case study, the JSON export's columns, list fields joined with "; "."""
    records = [case_study_record(case) for case in catalogue.case_studies]
    columns = list(EXPORT_FIELDS)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                key: csv_cell("; ".join(value) if isinstance(value, list) else value)
                for key, value in record.items()
            }
        )
    return buffer.getvalue()


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...),
# =cmd|...): OWASP's advice is to start such a cell with a quote, which shows as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that would start a formula gets a
    leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def atom_feed(
    catalogue: Catalogue, site_url: str, site_name: str, today: dt.date | None = None
) -> str:
    """An Atom feed of case studies, newest `published` first (undated ones last)."""
    ET.register_namespace("", ATOM)

    def element(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            child.text = text
        return child

    def stamp(date: dt.date | None) -> str:
        return f"{(date or today or dt.date.today()).isoformat()}T00:00:00Z"

    cases = sorted(
        catalogue.case_studies,
        key=lambda case: (case.published or dt.date.min, case.title),
        reverse=True,
    )
    feed = ET.Element(f"{{{ATOM}}}feed")
    element(feed, "title", f"{site_name}: case studies")
    element(feed, "id", absolute_url(site_url, FEED_URI))
    element(
        feed, "link", href=absolute_url(site_url, FEED_URI), rel="self", type="application/atom+xml"
    )
    element(feed, "link", href=absolute_url(site_url, ""), rel="alternate", type="text/html")
    newest = max((case.published for case in cases if case.published), default=None)
    element(feed, "updated", stamp(newest))
    author = element(feed, "author")
    element(author, "name", site_name)
    for case in cases:
        entry = element(feed, "entry")
        element(entry, "title", case.title)
        element(entry, "id", absolute_url(site_url, case.url))
        element(
            entry, "link", href=absolute_url(site_url, case.url), rel="alternate", type="text/html"
        )
        element(entry, "updated", stamp(case.published))
        if case.published:
            element(entry, "published", stamp(case.published))
        element(entry, "summary", case.summary or case.title)
        for name in ("themes", "places"):
            for term in case.terms.get(name, ()):
                element(entry, "category", term=term.slug, label=term.label)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


def case_study_json_ld(catalogue: Catalogue, case: CaseStudy, site_url: str, site_name: str) -> str:
    """schema.org Article for a case study page, safe to place inside a <script> element."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": case.title,
        "description": case.summary,
        "url": absolute_url(site_url, case.url),
        "isPartOf": {"@type": "WebSite", "name": site_name, "url": absolute_url(site_url, "")},
        "about": [
            {"@type": "Thing", "name": term.label}
            for name in ("themes", "principles")
            for term in case.terms.get(name, ())
        ],
        "keywords": [
            term.label
            for name in ("themes", "principles", "focus")
            for term in case.terms.get(name, ())
        ],
        "spatialCoverage": [
            {"@type": "AdministrativeArea", "name": term.label}
            for term in case.terms.get("places", ())
        ],
        "contributor": [
            {"@type": "Organization", "name": term.label} for term in case.terms.get("partners", ())
        ],
        "inLanguage": "en-GB",
    }
    if case.published:
        data["datePublished"] = case.published.isoformat()
    if case.source:
        citation: dict[str, Any] = {
            "@type": "CreativeWork",
            "name": case.source.title,
            "publisher": {"@type": "Organization", "name": case.source.publisher},
        }
        if case.source.year:
            citation["datePublished"] = str(case.source.year)
        if case.source.url:
            citation["url"] = case.source.url
        data["citation"] = citation
    return json_for_script(data)


# Inside <script>, "</script" ends the element and "<!--" changes how the rest of the page
# parses (a title holding "<!--" blanked the page); escaped as JSON escapes, the data
# reads the same and no markup is left. U+2028/2029 end lines in older JavaScript.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_for_script(data: Any) -> str:
    """JSON to place inside a <script> element, with no '<', '>' or '&' left in it."""
    return json.dumps(data, ensure_ascii=False, indent=None).translate(_SCRIPT_SAFE)


def open_data_files(catalogue: Catalogue, site_url: str, site_name: str) -> dict[str, str]:
    """Every open-data file the site publishes, by its path in the site."""
    files = {
        EXPORT_URI: case_studies_json(catalogue),
        CSV_URI: case_studies_csv(catalogue),
        FILTER_DATA_URI: catalogue_filter_data(catalogue, CATALOGUE_FACETS),
        FEED_URI: atom_feed(catalogue, site_url, site_name),
    }
    if "principles" in catalogue.taxonomies:  # the self-assessment's reading list
        files[SELF_ASSESSMENT_DATA_URI] = self_assessment_data(catalogue)
    files.update(citation_files(catalogue, site_url))
    return files
