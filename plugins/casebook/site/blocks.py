"""Blocks casebook adds to content pages: a case study's panel and footer, a policy
page's backlinks, the blocks an author asks for with a marker, and what Material's
in-browser search gets of a case study. Each is a template given view data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup

from ..content.fields import MARKER, MARKER_NAMES
from ..content.model import (
    CaseStudy,
    Catalogue,
    PolicyPage,
    RelatedCase,
    relative_link,
    term_src_uri,
)
from .citation import citation_view
from .export import FEED_URI, case_study_json_ld
from .generate import CATALOGUE_URI, GeneratedPage
from .links import Anchors, page_url_from, root_file_url
from .templating import HtmlBlock, Templates
from .views import (
    case_link,
    case_links,
    panel_rows,
    policy_facts,
    related_views,
    source_views,
)


def page_blocks(
    templates: Templates,
    catalogue: Catalogue,
    src_uri: str,
    taken: frozenset[str],
    related_slot: str,
    site_url: str,
    generated: Mapping[str, GeneratedPage],
) -> tuple[HtmlBlock, HtmlBlock]:
    """What goes before and after a page's rendered Markdown: a case study's panel and
    footer, a policy page's backlinks, or a generated page's body and lists. `taken` is
    the heading ids the page already uses."""
    case = catalogue.case_study_at(src_uri)
    if case is not None:
        panel = HtmlBlock(case_study_panel(templates, catalogue, case))
        footer = case_study_footer(
            templates, catalogue, case, site_url=site_url, taken=taken, related_slot=related_slot
        )
        return panel, footer
    policy = catalogue.policy_at(src_uri)
    if policy is not None:
        return HtmlBlock(), policy_footer(templates, catalogue, policy, taken)
    page = generated.get(src_uri)
    return (page.body, page.after) if page else (HtmlBlock(), HtmlBlock())


def case_list(templates: Templates, cases: list[CaseStudy], from_uri: str) -> str:
    """A list of case studies with summaries, as HTML."""
    return templates.render(
        "casebook/case_list.html", cases=case_links(cases, from_uri), search_exclude=False
    )


def related_list(
    templates: Templates, catalogue: Catalogue, related: list[RelatedCase], from_uri: str
) -> str:
    """A case study's related case studies, each with why, as HTML."""
    return templates.render(
        "casebook/related_list.html", related=related_views(catalogue, related, from_uri)
    )


def case_study_panel(templates: Templates, catalogue: Catalogue, case: CaseStudy) -> str:
    """The summary and at-a-glance panel, placed before the rendered Markdown."""
    return templates.render(
        "casebook/glance.html", summary=case.summary, rows=panel_rows(catalogue, case)
    )


def case_study_footer(
    templates: Templates,
    catalogue: Catalogue,
    case: CaseStudy,
    related_limit: int = 5,
    site_url: str = "",
    taken: frozenset[str] = frozenset(),
    related_slot: str | None = None,
) -> HtmlBlock:
    """Related case studies, policy context, source and citation, after the body. `taken`
    is the heading ids the body already uses; `related_slot`, if given, stands in for the
    related list (the plugin fills it in later), else the cases sharing most terms."""
    uri = case.src_uri
    related = []
    if related_slot is None:
        related = case_links([c for c, _ in catalogue.related_cases(case, related_limit)], uri)
    policies = [catalogue.policies[slug] for slug in case.policies if slug in catalogue.policies]
    sources = source_views(case.sources or ((case.source,) if case.source else ()))
    anchor = Anchors(taken)
    ids = {
        "related": anchor("Related case studies") if related_slot or related else "",
        "policies": anchor("Policy context") if policies else "",
        "source": anchor("Source" if len(sources) == 1 else "Sources") if sources else "",
        "citation": anchor("Cite this case study"),
    }
    return templates.block(
        "casebook/case_footer.html",
        ids=ids,
        related_slot=_trusted(related_slot),
        related=related,
        policies=[case_link(policy, uri) for policy in policies],
        sources=sources,
        citation=citation_view(case, site_url),
    )


def _trusted(html: str | None) -> Markup | None:
    """The plugin's own placeholder, which must reach the page as it is."""
    return Markup(html) if html else None


def policy_footer(
    templates: Templates,
    catalogue: Catalogue,
    policy: PolicyPage,
    taken: frozenset[str] = frozenset(),
) -> HtmlBlock:
    """What the policy is (kind, year, a link to the document itself), its sources, and the
    case studies that relate to it."""
    cases = catalogue.citing(policy.slug)
    facts = policy_facts(policy)
    sources = source_views(policy.sources)
    anchor = Anchors(taken)
    ids = {
        "about": anchor("About this policy") if any(facts.values()) else "",
        "source": anchor("Source" if len(sources) == 1 else "Sources") if sources else "",
        "cases": anchor("Case studies that relate to this"),
    }
    return templates.block(
        "casebook/policy_footer.html",
        ids=ids,
        facts=facts,
        sources=sources,
        cases=case_links(cases, policy.src_uri),
    )


def browser_search_extract(templates: Templates, case: CaseStudy) -> str:
    """What Material's in-browser index gets of a case study: its summary and place.
    Indexing everything in the browser made an 11 MB download at 1,000 case studies."""
    places = [term.label for term in case.terms.get("places", ())]
    return templates.render("casebook/search_extract.html", summary=case.summary, places=places)


def page_head(
    templates: Templates, catalogue: Catalogue, src_uri: str, site_url: str, site_name: str
) -> str:
    """What every page adds to its <head>: the feed, and a case study's JSON-LD. Placed
    after sanitising (which rightly strips scripts); the JSON-LD is built only from
    escaped front-matter values."""
    case = catalogue.case_study_at(src_uri)
    json_ld = case_study_json_ld(catalogue, case, site_url, site_name) if case else ""
    return templates.render(
        "casebook/head.html", feed_url=root_file_url(src_uri, FEED_URI), json_ld=json_ld
    )


# -- blocks an author places in a page with a marker ---------------------------------------


def expand_markers(markdown: str, catalogue: Catalogue, src_uri: str, templates: Templates) -> str:
    """Replace `<!-- casebook:NAME [N] -->` with a generated block. Unknown names are left
    as they are (an HTML comment renders as nothing) and reported by validation."""

    def block(match: re.Match) -> str:
        name, number = match.group(1), match.group(2)
        maker = MARKERS.get(name)
        if maker is None:
            return match.group(0)
        return maker(templates, catalogue, src_uri, int(number) if number else None)

    return MARKER.sub(block, markdown)


def theme_cards(templates: Templates, catalogue: Catalogue, src_uri: str, _: int | None) -> str:
    if "themes" not in catalogue.taxonomies:
        return ""
    themes = [
        {
            "label": term.label,
            "link": relative_link(src_uri, term_src_uri(term)),
            "description": term.description,
            "count": len(catalogue.cases_for("themes", term.slug)),
        }
        for term in catalogue.terms_with_pages("themes")
    ]
    return templates.render("casebook/theme_cards.html", themes=themes)


def newest_cases(templates: Templates, catalogue: Catalogue, src_uri: str, limit: int | None):
    cases = sorted(
        catalogue.case_studies,
        key=lambda case: (case.published.isoformat() if case.published else "", case.title),
        reverse=True,
    )[: limit or 5]
    return case_list(templates, cases, src_uri)


def search_box(templates: Templates, catalogue: Catalogue, src_uri: str, _: int | None) -> str:
    action = page_url_from(src_uri, CATALOGUE_URI)
    return templates.render("casebook/search_box.html", action=action)


MARKERS = {"themes": theme_cards, "newest": newest_cases, "search": search_box}
assert set(MARKERS) == set(MARKER_NAMES), "fields.MARKER_NAMES and MARKERS must agree"
