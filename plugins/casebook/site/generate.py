"""The pages casebook adds to a site: taxonomy and term pages, the catalogue, the policy
index and the self-assessment, each as front matter plus HTML from a template.

Nothing here knows about MkDocs: a GeneratedPage is a path, its Markdown (front matter
only) and the HTML blocks the plugin places around the rendered Markdown.

Over 250 lines because each page casebook adds (term, index, catalogue, policy index,
self-assessment, place map) has its view-data function here; the markup is in templates.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from ..content.model import Catalogue, page_url, term_src_uri
from ..content.taxonomy import Taxonomy, Term
from .links import Anchors, page_url_from, root_file_url
from .templating import HtmlBlock, Templates, joined
from .views import Link, card, case_link, case_links

CATALOGUE_URI = "case_studies/index.md"
POLICY_INDEX_URI = "policy/index.md"
SELF_ASSESSMENT_URI = "index/self-assessment.md"
# Facets offered as filters on the catalogue page, by taxonomy name. The URL and form
# keys are the front-matter field names (themes, principles, place, programme, focus).
CATALOGUE_FACETS = ("themes", "principles", "places", "programmes", "focus")
# The catalogue's orders, the first the default (the order of the cards in the page).
CATALOGUE_SORTS = (
    ("title", "A to Z"),
    ("newest", "Newest first"),
    ("started", "Most recently started"),
)
# A questionnaire stays readable in a large library: a few examples a principle, and a
# link to the principle's own page for the rest.
ASSESSMENT_CASES = 5
# The report offers no rating scale, so each rating is defined in plain words; "embedded"
# takes the report's own words for co-production "embedded ... from leaders to frontline".
RATINGS = (
    ("not-started", "Not started", "We have not yet begun to work on this."),
    (
        "emerging",
        "Emerging",
        "We have made a start: early talks, tests or pilots, not yet consistent.",
    ),
    (
        "established",
        "Established",
        "Agreed across partners and how we usually work, though not yet everywhere.",
    ),
    (
        "embedded",
        "Embedded",
        "Part of how we work from leaders to frontline, and it lasts when people change.",
    ),
)
# The self-assessment's reading list: a few case studies for each principle, from a small
# static file the page loads (the full export is far larger than it needs).
SELF_ASSESSMENT_DATA_URI = "data/self-assessment.json"
READING_LIST_CASES = 3
POLICY_KINDS = {
    "legislation": "Legislation",
    "body": "Bodies",
    "guidance": "Guidance",
    "framework": "Frameworks and approaches",
}


@dataclass(frozen=True)
class GeneratedPage:
    """A page casebook adds: `body` goes where the Markdown renders (and is searched),
    `after` follows it."""

    src_uri: str
    markdown: str
    body: HtmlBlock = field(default_factory=HtmlBlock)
    after: HtmlBlock = field(default_factory=HtmlBlock)


def front_matter(
    title: str, description: str = "", hide: tuple[str, ...] = (), search_exclude: bool = False
) -> str:
    lines = ["---", f"title: {_yaml_string(title)}"]
    if description:
        lines.append(f"description: {_yaml_string(description)}")
    if hide:
        lines.append(f"hide: [{', '.join(hide)}]")
    if search_exclude:
        lines.append("search: {exclude: true}")
    return "\n".join([*lines, "---", "", ""])


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _body(templates: Templates, name: str, **view: object) -> HtmlBlock:
    """A page body from its template, ending as rendered Markdown ends (no newline)."""
    block = templates.block(name, **view)
    return HtmlBlock(block.html.rstrip("\n"), block.headings)


def generated_pages(catalogue: Catalogue, templates: Templates) -> list[GeneratedPage]:
    """Every page casebook adds, in a stable order."""
    pages = taxonomy_pages(catalogue, templates)
    pages.append(catalogue_page(catalogue, templates))
    pages.append(policy_index_page(catalogue, templates))
    if "principles" in catalogue.taxonomies:
        pages.append(self_assessment_page(catalogue, templates))
    return pages


# -- taxonomy pages -------------------------------------------------------------------------


def taxonomy_pages(catalogue: Catalogue, templates: Templates) -> list[GeneratedPage]:
    pages = []
    for name, taxonomy in catalogue.taxonomies.items():
        pages.append(taxonomy_index_page(catalogue, taxonomy, templates))
        pages.extend(
            term_page(catalogue, taxonomy, term, templates)
            for term in catalogue.terms_with_pages(name)
        )
    return pages


def taxonomy_index_page(
    catalogue: Catalogue, taxonomy: Taxonomy, templates: Templates
) -> GeneratedPage:
    uri = f"{taxonomy.name}/index.md"
    listed = {t.slug for t in catalogue.terms_with_pages(taxonomy.name)}

    def entry(term: Term) -> dict:
        url = page_url_from(uri, f"{taxonomy.name}/{term.slug}.md") if term.slug in listed else ""
        count = len(catalogue.cases_for(taxonomy.name, term.slug))
        return {"label": term.label, "url": url, "count": count, "description": term.description}

    terms = catalogue.terms(taxonomy.name)
    anchor = Anchors()
    groups = [
        {
            "label": group.label,
            "id": anchor(group.label),
            "description": group.description,
            "terms": [entry(t) for t in terms if t.group == group.slug],
        }
        for group in taxonomy.groups.values()
    ]
    shown = terms if taxonomy.pages == "all" else [t for t in terms if t.slug in listed]
    heading = None
    if taxonomy.name == "places":  # the map lists every council area; the list, the rest
        on_map = {area["slug"] for area in council_areas()}
        shown = [t for t in shown if t.slug not in on_map]
        heading = {"label": "Beyond one council area", "id": anchor("Beyond one council area")}
    body = _body(
        templates,
        "casebook/taxonomy_index.html",
        taxonomy=taxonomy,
        groups=groups,
        terms=[entry(t) for t in shown] if not groups else [],
        heading=heading,
    )
    if taxonomy.name == "places":  # the tile map goes first, above the list
        map_block = place_map(catalogue, templates, uri, listed)
        body = joined(map_block, body)
    return GeneratedPage(uri, front_matter(taxonomy.label, taxonomy.description), body)


PLACE_TILE = 64  # px in the map's own units; the SVG scales to the page's width
PLACE_GAP = 6


def place_map(catalogue: Catalogue, templates: Templates, uri: str, listed: set[str]) -> HtmlBlock:
    """The council areas as a tile-grid map: every area, its count, a link where it has a
    page. The grid is data (council_areas.yml), so no boundary files or map service."""
    step = PLACE_TILE + PLACE_GAP
    areas = [
        {
            **area,
            "left": area["x"] * step,
            "top": area["y"] * step,
            "count": (count := len(catalogue.cases_for("places", area["slug"]))),
            "url": page_url_from(uri, f"places/{area['slug']}.md")
            if count and area["slug"] in listed
            else "",
        }
        for area in council_areas()
    ]
    width = max(a["left"] for a in areas) + PLACE_TILE
    height = max(a["top"] for a in areas) + PLACE_TILE
    return _body(
        templates,
        "casebook/place_map.html",
        areas=areas,
        size=PLACE_TILE,
        width=width,
        height=height,
    )


@functools.cache
def council_areas() -> tuple[dict, ...]:
    path = Path(__file__).parent / "council_areas.yml"
    return tuple(yaml.safe_load(path.read_text(encoding="utf-8")))


def term_page(
    catalogue: Catalogue, taxonomy: Taxonomy, term: Term, templates: Templates
) -> GeneratedPage:
    uri = f"{taxonomy.name}/{term.slug}.md"
    cases = catalogue.cases_for(taxonomy.name, term.slug)
    group = taxonomy.groups.get(term.group) if term.group else None
    body = _body(
        templates,
        "casebook/term_page.html",
        taxonomy=Link(taxonomy.label, page_url_from(uri, f"{taxonomy.name}/index.md")),
        group=group,
        term=term,
    )
    after = templates.block(
        "casebook/term_cases.html", search_exclude=True, cases=case_links(cases, uri)
    )
    if taxonomy.name in CATALOGUE_FACETS and cases:
        filtered = (
            page_url_from(uri, CATALOGUE_URI) + f"?{quote(taxonomy.field)}={quote(term.slug)}"
        )
        link = templates.block("casebook/term_catalogue_link.html", url=filtered, label=term.label)
        after = joined(link, after)
    # Open vocabularies (partners, focus) run to hundreds of terms whose pages only list
    # case studies: they stay out of the in-browser index, which has to stay small.
    markdown = front_matter(term.label, term.description, search_exclude=taxonomy.open)
    return GeneratedPage(uri, markdown, body, after)


# -- the catalogue and the policy index ---------------------------------------------------


def catalogue_page(catalogue: Catalogue, templates: Templates) -> GeneratedPage:
    """Every case study as a card, with a filter form the page's script brings to life."""
    uri = CATALOGUE_URI
    total = len(catalogue.case_studies)
    browse = [
        Link(taxonomy.label, page_url_from(uri, f"{name}/index.md"), taxonomy.description)
        for name, taxonomy in catalogue.taxonomies.items()
    ]
    body = _body(templates, "casebook/catalogue_intro.html", total=total, browse=browse)
    # The cards repeat each case study's own search entry, so they stay out of Material's
    # in-browser index.
    after = templates.block(
        "casebook/catalogue.html",
        search_exclude=True,
        total=total,
        data_src=root_file_url(uri, "data/catalogue.json"),
        facets=filter_facets(catalogue),
        sorts=[{"value": value, "label": label} for value, label in CATALOGUE_SORTS],
        cards=[card(case, uri) for case in catalogue.case_studies],
    )
    # No navigation column: the filters take the left of the page.
    markdown = front_matter(
        "Case studies", "Every case study in the knowledge base.", ("navigation", "toc")
    )
    return GeneratedPage(uri, markdown, body, after)


def filter_facets(catalogue: Catalogue) -> list[dict]:
    """The catalogue's filters: a facet per taxonomy in CATALOGUE_FACETS that has terms in
    use, keyed by the front-matter field, each term with its count. A term no case study
    uses is left out: ticking it could only ever show nothing. `multiple` facets (a case
    study may have several of their terms) offer "any of" or "all of"."""
    facets = []
    for name in CATALOGUE_FACETS:
        taxonomy = catalogue.taxonomies.get(name)
        terms = catalogue.terms_with_pages(name) if taxonomy else []
        options = [
            {"slug": t.slug, "label": t.label, "count": count}
            for t in terms
            if (count := len(catalogue.cases_for(name, t.slug)))
        ]
        if taxonomy and options:
            facets.append(
                {
                    "name": name,
                    "key": taxonomy.field,
                    "label": taxonomy.label,
                    "singular": taxonomy.singular,
                    "multiple": taxonomy.multiple,
                    "open": name in ("themes", "principles"),
                    "options": options,
                }
            )
    years = Counter(case.started for case in catalogue.case_studies if case.started)
    if years:  # not a taxonomy, but filtered the same way; newest first
        facets.append(
            {
                "name": "started",
                "key": "started",
                "label": "Year started",
                "singular": "Started",
                "multiple": False,
                "open": False,
                "options": [
                    {"slug": str(year), "label": str(year), "count": years[year]}
                    for year in sorted(years, reverse=True)
                ],
            }
        )
    return facets


def policy_index_page(catalogue: Catalogue, templates: Templates) -> GeneratedPage:
    uri = POLICY_INDEX_URI
    policies = sorted(catalogue.policies.values(), key=lambda p: p.title.lower())
    anchor, sections = Anchors(), []
    for kind in [*POLICY_KINDS, *sorted({p.kind for p in policies} - set(POLICY_KINDS))]:
        members = [p for p in policies if p.kind == kind]
        if members:
            label = POLICY_KINDS.get(kind, kind.title() or "Other")
            entries = [
                {**vars(case_link(p, uri)), "count": len(catalogue.citing(p.slug))} for p in members
            ]
            sections.append({"label": label, "id": anchor(label), "policies": entries})
    body = _body(templates, "casebook/policy_index.html", sections=sections)
    description = "The law, guidance and frameworks behind integration in Scotland."
    return GeneratedPage(uri, front_matter("Policy and legislation", description), body)


# -- the Index as a self-assessment -----------------------------------------------------------


def self_assessment_page(
    catalogue: Catalogue, templates: Templates, taxonomy_name: str = "principles"
) -> GeneratedPage:
    """A questionnaire from the principles taxonomy: a rating and a note per principle, and
    the case studies that show it."""
    uri = SELF_ASSESSMENT_URI
    taxonomy = catalogue.taxonomies[taxonomy_name]
    anchor = Anchors()
    groups = []
    for group in list(taxonomy.groups.values()) or [None]:
        label = group.label if group else ""
        view = {
            "slug": group.slug if group else "",
            "label": label,
            "id": anchor(label) if group else "",
            "description": group.description if group else "",
        }
        members = [t for t in taxonomy.terms.values() if group is None or t.group == group.slug]
        view["principles"] = [
            _assessment_item(catalogue, term, uri, label, anchor) for term in members
        ]
        groups.append(view)
    ratings = [
        {"value": value, "label": label, "definition": definition}
        for value, label, definition in RATINGS
    ]
    body = _body(
        templates,
        "casebook/self_assessment.html",
        groups=groups,
        ratings=ratings,
        data_src=root_file_url(uri, SELF_ASSESSMENT_DATA_URI),
        root=root_file_url(uri, ""),
    )
    markdown = front_matter(
        "Collaborative Providers Index self-assessment",
        "Rate your collaboration against each principle of the Index.",
    )
    return GeneratedPage(uri, markdown, body)


def _assessment_item(
    catalogue: Catalogue, term: Term, uri: str, category: str, anchor: Anchors
) -> dict:
    cases = catalogue.cases_for(term.taxonomy, term.slug)
    return {
        "slug": term.slug,
        "label": term.label,
        "id": anchor(term.label),
        "url": page_url_from(uri, f"{term.taxonomy}/{term.slug}.md"),
        "description": term.description,
        "questions": list(term.questions),
        "category": category,
        "cases": case_links(cases[:ASSESSMENT_CASES], uri),
        "total": len(cases),
    }


def self_assessment_data(catalogue: Catalogue, taxonomy_name: str = "principles") -> str:
    """What the self-assessment's reading list needs: for each principle its page, how many
    case studies show it and the first few (title, places, summary), URLs from the site
    root. Its size depends on the principles, not on the size of the library."""
    principles = {}
    for term in catalogue.terms(taxonomy_name) if taxonomy_name in catalogue.taxonomies else []:
        cases = catalogue.cases_for(taxonomy_name, term.slug)
        principles[term.slug] = {
            "url": page_url(term_src_uri(term)),
            "total": len(cases),
            "cases": [
                {
                    "title": case.title,
                    "url": page_url(case.src_uri),
                    "places": [place.label for place in case.terms.get("places", ())],
                    "summary": case.summary,
                }
                for case in cases[:READING_LIST_CASES]
            ],
        }
    return json.dumps({"version": 1, "principles": principles}, ensure_ascii=False)
