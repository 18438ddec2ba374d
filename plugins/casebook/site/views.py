"""View data for the templates: plain values from the Catalogue, no markup.

Every template gets only these (and the strings and numbers inside them), so a site that
overrides a template can rely on the names documented in TEMPLATES.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ..content.model import CaseStudy, Catalogue, PolicyPage, RelatedCase, Source, term_src_uri
from ..content.taxonomy import Term
from .links import page_url_from

# The panel shows these taxonomies, in this order, when a case study uses them.
PANEL_TAXONOMIES = ("places", "partners", "programmes", "focus", "themes", "principles")


@dataclass(frozen=True)
class Link:
    """A page to link to: its title, its URL relative to the page linking, a summary."""

    title: str
    url: str
    summary: str = ""


@dataclass(frozen=True)
class Card:
    """One case study in the catalogue. `terms` has every taxonomy it uses, by name
    (themes, principles, places, programmes, partners, focus ...), as links; worked out
    only if a template asks (the shipped card shows labels only)."""

    case: CaseStudy
    url: str
    from_uri: str

    slug = property(lambda self: self.case.slug)
    title = property(lambda self: self.case.title)
    summary = property(lambda self: self.case.summary)
    started = property(lambda self: self.case.started)
    published = property(
        lambda self: self.case.published.isoformat() if self.case.published else ""
    )

    @cached_property
    def terms(self) -> dict[str, tuple[Link, ...]]:
        return {
            name: tuple(term_link(t, self.from_uri) for t in terms)
            for name, terms in self.case.terms.items()
        }

    @property
    def places(self) -> tuple[str, ...]:
        return self.labels("places")

    @property
    def themes(self) -> tuple[str, ...]:
        return self.labels("themes")

    @property
    def partners(self) -> tuple[str, ...]:
        return self.labels("partners")

    def labels(self, taxonomy: str) -> tuple[str, ...]:
        return tuple(term.label for term in self.case.terms.get(taxonomy, ()))


@dataclass(frozen=True)
class PanelRow:
    """One line of the at-a-glance panel: a label and either term links or plain text."""

    name: str  # the taxonomy's name, or "started"
    label: str
    links: tuple[Link, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class SourceView:
    title: str
    publisher: str
    year: int | None
    url: str  # "" unless an http(s) address: nothing else may become a link
    section: str = ""  # the part of the source the page was written from
    publisher_url: str = ""  # the publisher's site, where the source itself has no address


def case_link(case: CaseStudy | PolicyPage, from_uri: str) -> Link:
    return Link(case.title, page_url_from(from_uri, case.src_uri), case.summary)


def case_links(cases: list[CaseStudy], from_uri: str) -> list[Link]:
    return [case_link(case, from_uri) for case in cases]


def term_link(term: Term, from_uri: str) -> Link:
    return Link(term.label, page_url_from(from_uri, term_src_uri(term)), term.description)


def card(case: CaseStudy, from_uri: str) -> Card:
    return Card(case, page_url_from(from_uri, case.src_uri), from_uri)


def panel_rows(catalogue: Catalogue, case: CaseStudy) -> list[PanelRow]:
    """The at-a-glance panel's rows: the usual taxonomies in a fixed order, then any other
    the site declares, with "Started" after the programme."""
    uri, rows = case.src_uri, []
    for name in PANEL_TAXONOMIES:
        taxonomy = catalogue.taxonomies.get(name)
        terms = case.terms.get(name, ())
        if taxonomy and terms:
            label = taxonomy.singular if len(terms) == 1 else taxonomy.label
            rows.append(PanelRow(name, label, tuple(term_link(t, uri) for t in terms)))
        if name == "programmes" and case.started:
            rows.append(PanelRow("started", "Started", text=str(case.started)))
    for name, taxonomy in catalogue.taxonomies.items():
        if name not in PANEL_TAXONOMIES and (terms := case.terms.get(name)):
            rows.append(PanelRow(name, taxonomy.label, tuple(term_link(t, uri) for t in terms)))
    return rows


@dataclass(frozen=True)
class SharedTerms:
    """Part of why a case is related: it shares `count` terms of one taxonomy."""

    taxonomy: str
    count: int
    singular: str  # "Theme"
    plural: str  # "Themes"
    same: bool  # a place: worded "same place", not a count


@dataclass(frozen=True)
class RelatedView:
    """A related case study, and why: `shared` by taxonomy, and `similar_text`."""

    title: str
    url: str
    summary: str
    shared: tuple[SharedTerms, ...]
    similar_text: bool


# Taxonomies a reader takes as one fact ("same place"), not as a count of shared terms.
SAME_TAXONOMIES = frozenset({"places"})


def related_views(catalogue: Catalogue, related: list[RelatedCase], from_uri: str):
    views = []
    for item in related:
        case = catalogue.case_study(item.slug)
        if case is None:
            continue
        shared = tuple(
            SharedTerms(
                name,
                count,
                taxonomy.singular,
                taxonomy.label,
                name in SAME_TAXONOMIES,
            )
            for name, count in item.shared
            if (taxonomy := catalogue.taxonomies.get(name))
        )
        link = case_link(case, from_uri)
        views.append(RelatedView(link.title, link.url, link.summary, shared, item.similar_text))
    return views


def web_address(url: str | None) -> str:
    """`url` if it is http(s), else "": validation reports any other, and a build that
    goes on regardless must not link it."""
    return url if url and re.match(r"https?://", url, flags=re.I) else ""


def source_views(sources: tuple[Source, ...]) -> list[SourceView]:
    """A page's sources, each with the section used and a link only where it is http(s)."""
    return [
        SourceView(
            s.title,
            s.publisher,
            s.year,
            web_address(s.url),
            s.section or "",
            web_address(s.publisher_url),
        )
        for s in sources
    ]


def policy_facts(policy: PolicyPage) -> dict:
    """What a policy is: its kind, year and the document itself, for its footer."""
    return {
        "kind": policy.kind,
        "year": policy.year,
        "official_url": web_address(policy.official_url),
    }


# Where each kind of page sits, for its breadcrumbs: the first folder of its path, and the
# index page of that folder (or none, when the section has no page of its own).
SECTIONS = {
    "case_studies": ("Case studies", "case_studies/index.md"),
    "policy": ("Policy", "policy/index.md"),
    "guides": ("Guides", None),
    "index": ("Guides", None),
}


def breadcrumbs(catalogue: Catalogue, src_uri: str, title: str) -> list[Link]:
    """Home, the page's section, the page: for case studies, term pages, policy pages and
    guides. A crumb with an empty URL is text, not a link. Index pages and the home page
    get none (they are the sections)."""
    folder, _, rest = src_uri.partition("/")
    if not rest or rest == "index.md":
        return []
    home = Link("Home", page_url_from(src_uri, "index.md"))
    if folder in catalogue.taxonomies:
        taxonomy = catalogue.taxonomies[folder]
        section = Link(taxonomy.label, page_url_from(src_uri, f"{folder}/index.md"))
    elif folder in SECTIONS:
        label, index = SECTIONS[folder]
        section = Link(label, page_url_from(src_uri, index) if index else "")
    else:
        return []
    return [home, section, Link(title, "")]
