"""Markdown for generated pages and cross-link blocks, from the Catalogue alone.

Links are written as relative links to source files, so MkDocs resolves and checks them
like any hand-written link. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from ..content.fields import MARKER, MARKER_NAMES
from ..content.model import CaseStudy, Catalogue, PolicyPage, page_url, relative_link, term_src_uri
from ..content.taxonomy import Taxonomy, Term

CATALOGUE_URI = "case_studies/index.md"
POLICY_INDEX_URI = "policy/index.md"
# The panel shows these taxonomies, in this order, when a case study uses them.
PANEL_TAXONOMIES = ("places", "partners", "programmes", "focus", "themes", "principles")


@dataclass(frozen=True)
class Heading:
    """A heading inside an HtmlBlock, for the page's table of contents."""

    level: int
    id: str
    title: str


@dataclass(frozen=True)
class HtmlBlock:
    """Finished HTML that the plugin places after a page's rendered Markdown.

    Generated lists and footers used to go into the Markdown as raw HTML, and having
    Python-Markdown parse them again was about a third of casebook's build time (1.7 ms a
    case study, measured). They are built here from escaped values only, and the plugin
    still sanitises them, apart from the page they follow."""

    html: str = ""
    headings: tuple[Heading, ...] = ()
    # Lists that repeat other pages' entries stay out of Material's in-browser index.
    search_exclude: bool = False

    def __add__(self, other: HtmlBlock) -> HtmlBlock:
        return HtmlBlock(
            self.html + other.html,
            self.headings + other.headings,
            self.search_exclude or other.search_exclude,
        )


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    markdown: str
    after: HtmlBlock = HtmlBlock()


def heading(
    title: str, anchor: str, level: int = 2, taken: frozenset[str] = frozenset()
) -> HtmlBlock:
    """An <hN> with a permalink, as the toc extension writes them; `anchor` gets a suffix
    when the page already uses it (a contributor's own "## Source", say)."""
    unique, number = anchor, 0
    while unique in taken:
        number += 1
        unique = f"{anchor}_{number}"
    text = html.escape(title)
    return HtmlBlock(
        f'<h{level} id="{unique}">{text}<a class="headerlink" href="#{unique}" '
        f'title="Permanent link">&para;</a></h{level}>\n',
        (Heading(level, unique, text),),
    )


def escape(text: str) -> str:
    """Text safe to put inside Markdown (and inline HTML) without changing its meaning."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def link(text: str, from_uri: str, to_uri: str) -> str:
    return f"[{escape(text)}]({relative_link(from_uri, to_uri)})"


def term_link(term: Term, from_uri: str) -> str:
    return link(term.label, from_uri, term_src_uri(term))


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


def _count(number: int, noun: str = "case study", plural: str = "case studies") -> str:
    return f"{number} {noun if number == 1 else plural}"


# -- lists of case studies ----------------------------------------------------------------


def case_list(cases: list[CaseStudy], from_uri: str, search_exclude: bool = False) -> str:
    """A list of case studies with summaries, as HTML (also valid as a raw HTML block in
    Markdown). The links are final URLs, checked by the integration test of every href."""
    if not cases:
        return "<p><em>No case studies yet.</em></p>\n"
    items = []
    for case in cases:
        summary = f": {html.escape(case.summary)}" if case.summary else ""
        items.append(
            f'<li><a href="{html.escape(page_url_from(from_uri, case.src_uri))}">'
            f"<strong>{html.escape(case.title)}</strong></a>{summary}</li>"
        )
    exclude = " data-search-exclude" if search_exclude else ""
    return f'<ul class="cb-case-list"{exclude}>\n' + "\n".join(items) + "\n</ul>\n"


# -- taxonomy pages -------------------------------------------------------------------------


def taxonomy_pages(catalogue: Catalogue) -> list[GeneratedPage]:
    pages = []
    for name, taxonomy in catalogue.taxonomies.items():
        pages.append(taxonomy_index_page(catalogue, taxonomy))
        pages.extend(
            term_page(catalogue, taxonomy, term) for term in catalogue.terms_with_pages(name)
        )
    return pages


def taxonomy_index_page(catalogue: Catalogue, taxonomy: Taxonomy) -> GeneratedPage:
    uri = f"{taxonomy.name}/index.md"
    parts = [front_matter(taxonomy.label, taxonomy.description)]
    if taxonomy.description:
        parts.append(taxonomy.description + "\n")
    listed = {t.slug for t in catalogue.terms_with_pages(taxonomy.name)}

    def entry(term: Term) -> str:
        count = len(catalogue.cases_for(taxonomy.name, term.slug))
        name = term_link(term, uri) if term.slug in listed else escape(term.label)
        text = f"- {name} ({_count(count)})"
        return text + (f"  \n  {escape(term.description)}" if term.description else "")

    terms = catalogue.terms(taxonomy.name)
    if taxonomy.groups:
        for group in taxonomy.groups.values():
            members = [t for t in terms if t.group == group.slug]
            parts.append(f"## {escape(group.label)}\n")
            if group.description:
                parts.append(group.description + "\n")
            parts.append("\n".join(entry(t) for t in members) + "\n")
    else:
        shown = terms if taxonomy.pages == "all" else [t for t in terms if t.slug in listed]
        parts.append(
            "\n".join(entry(t) for t in shown) + "\n"
            if shown
            else "_No case studies use these yet._\n"
        )
    return GeneratedPage(uri, "\n".join(parts))


def term_page(catalogue: Catalogue, taxonomy: Taxonomy, term: Term) -> GeneratedPage:
    uri = term_src_uri(term)
    cases = catalogue.cases_for(taxonomy.name, term.slug)
    # Open vocabularies (partners, focus) run to hundreds of terms whose pages only list
    # case studies: they stay out of the in-browser index, which has to stay small.
    parts = [front_matter(term.label, term.description, search_exclude=taxonomy.open)]
    crumbs = f"[{escape(taxonomy.label)}](index.md)"
    if term.group and term.group in taxonomy.groups:
        group = taxonomy.groups[term.group]
        crumbs += f" › {escape(group.label)}"
    parts.append(f"{crumbs}\n")
    if term.description:
        parts.append(term.description + "\n")
    if term.group and term.group in taxonomy.groups:
        group = taxonomy.groups[term.group]
        parts.append(
            f"This principle belongs to the **{escape(group.label)}** category of the "
            f"Index: {group.description}\n"
        )
    if term.questions:
        parts.append("## Questions to ask\n")
        parts.append("\n".join(f"- {escape(q)}" for q in term.questions) + "\n")
    listing = heading(f"Case studies ({len(cases)})", "case-studies", taken=_QUESTION_IDS)
    listing += HtmlBlock(case_list(cases, uri, search_exclude=True), search_exclude=True)
    return GeneratedPage(uri, "\n".join(parts), listing)


_QUESTION_IDS = frozenset({"questions-to-ask"})


# -- index pages for content folders ------------------------------------------------------


# Facets offered as filters on the catalogue page, by taxonomy name. The URL and form
# keys are the front-matter field names (themes, principles, place, programme, focus).
CATALOGUE_FACETS = ("themes", "principles", "places", "programmes", "focus")


def catalogue_page(catalogue: Catalogue) -> GeneratedPage:
    """Every case study as a card, with a filter form the page's script brings to life.
    Without JavaScript the form stays hidden and the page is the full list with links."""
    uri = CATALOGUE_URI
    parts = [front_matter("Case studies", "Every case study in the knowledge base.", hide=("toc",))]
    browse = ", ".join(
        link(t.label.lower(), uri, f"{name}/index.md") for name, t in catalogue.taxonomies.items()
    )
    parts.append(
        f"{_count(len(catalogue.case_studies))} of integration in practice. Filter them "
        f"below, or browse by {browse}.\n"
    )
    after = [
        '<div class="cb-catalogue" id="cb-catalogue" '
        f'data-src="{relative_link(uri, "data/catalogue.json")}">\n'
    ]
    after.append(filter_form(catalogue))
    total = len(catalogue.case_studies)
    after.append(
        f'<p class="cb-status" id="cb-status" role="status" aria-live="polite">'
        f"Showing all {_count(total)}.</p>\n"
    )
    # The cards repeat each case study's own search entry, so they stay out of Material's
    # in-browser index.
    cards = "\n".join(case_card(catalogue, case, uri) for case in catalogue.case_studies)
    after.append(f'<div class="cb-cards" id="cb-cards" data-search-exclude>\n{cards}\n</div>\n')
    after.append(
        '<p class="cb-empty" id="cb-empty" hidden>No case studies match these filters. '
        "Remove a filter, or clear them all.</p>\n"
    )
    after.append("</div>\n")
    return GeneratedPage(uri, "\n".join(parts), HtmlBlock("".join(after), search_exclude=True))


def filter_form(catalogue: Catalogue) -> str:
    """The filter form as one raw HTML block (no blank lines, so Markdown leaves it be).
    Every control is a real form control whose value is a term slug."""
    lines = [
        '<form class="cb-filters" id="cb-filters" role="search" '
        'aria-label="Filter case studies" hidden>',
        '<div class="cb-filters__text">',
        '<label for="cb-text">Search their text</label>',
        '<input type="search" id="cb-text" name="text" autocomplete="off" spellcheck="false">',
        "</div>",
    ]
    for name in CATALOGUE_FACETS:
        taxonomy = catalogue.taxonomies.get(name)
        if taxonomy is None:
            continue
        terms = catalogue.terms_with_pages(name)
        if not terms:
            continue
        key = html.escape(taxonomy.field)
        opened = " open" if name in ("themes", "principles") else ""
        lines.append(f'<details class="cb-facet" data-facet="{key}"{opened}>')
        lines.append(
            f"<summary>{html.escape(taxonomy.label)}"
            f'<span class="cb-facet__selected" data-selected></span></summary>'
        )
        lines.append(
            f'<fieldset><legend class="cb-visually-hidden">{html.escape(taxonomy.label)}</legend>'
        )
        for term in terms:
            control = f"cb-{key}-{html.escape(term.slug)}"
            count = len(catalogue.cases_for(name, term.slug))
            lines.append(
                f'<div class="cb-option"><input type="checkbox" id="{control}" name="{key}" '
                f'value="{html.escape(term.slug)}"><label for="{control}">'
                f'{html.escape(term.label)} <span class="cb-count" data-count>({count})</span>'
                "</label></div>"
            )
        lines.append("</fieldset>")
        lines.append("</details>")
    lines.append(
        '<button type="button" class="md-button cb-clear" id="cb-clear">Clear all filters</button>'
    )
    lines.append("</form>")
    return "\n".join(lines) + "\n"


def case_card(catalogue: Catalogue, case: CaseStudy, from_uri: str) -> str:
    place = ", ".join(term.label for term in case.terms.get("places", ()))
    themes = ", ".join(term.label for term in case.terms.get("themes", ()))
    meta = " · ".join(html.escape(part) for part in (place, themes) if part)
    address = html.escape(page_url_from(from_uri, case.src_uri))
    return (
        f'<article class="cb-card" data-slug="{html.escape(case.slug)}">'
        f'<h3><a href="{address}">{html.escape(case.title)}</a></h3>'
        f"<p>{html.escape(case.summary)}</p>"
        f'<p class="cb-card__meta">{meta}</p></article>'
    )


def policy_index_page(catalogue: Catalogue) -> GeneratedPage:
    uri = POLICY_INDEX_URI
    parts = [
        front_matter(
            "Policy and legislation",
            "The law, guidance and frameworks behind integration in Scotland.",
        )
    ]
    parts.append(
        "The legislation, guidance, frameworks and bodies that shape health and social "
        "care integration in Scotland, with the case studies that relate to each.\n"
    )
    order = ("legislation", "body", "guidance", "framework")
    headings = {
        "legislation": "Legislation",
        "body": "Bodies",
        "guidance": "Guidance",
        "framework": "Frameworks and approaches",
    }
    policies = sorted(catalogue.policies.values(), key=lambda p: p.title.lower())
    for kind in [*order, *sorted({p.kind for p in policies} - set(order))]:
        members = [p for p in policies if p.kind == kind]
        if not members:
            continue
        parts.append(f"## {headings.get(kind, kind.title() or 'Other')}\n")
        for policy in members:
            cited = len(catalogue.citing(policy.slug))
            parts.append(
                f"- **{link(policy.title, uri, policy.src_uri)}** "
                f"({_count(cited, 'case study', 'case studies')}): "
                f"{escape(policy.summary)}"
            )
        parts.append("")
    return GeneratedPage(uri, "\n".join(parts))


# -- blocks added to content pages -----------------------------------------------------------


def term_anchor(term: Term, from_uri: str) -> str:
    address = html.escape(page_url_from(from_uri, term_src_uri(term)))
    return f'<a href="{address}">{html.escape(term.label)}</a>'


def case_study_panel(catalogue: Catalogue, case: CaseStudy) -> str:
    """The summary and at-a-glance panel above a case study's body, as HTML the plugin
    places before the rendered Markdown."""
    uri = case.src_uri
    rows: list[tuple[str, str]] = []
    for name in PANEL_TAXONOMIES:
        taxonomy = catalogue.taxonomies.get(name)
        terms = case.terms.get(name, ())
        if taxonomy and terms:
            label = taxonomy.singular if len(terms) == 1 else taxonomy.label
            rows.append((label, ", ".join(term_anchor(t, uri) for t in terms)))
        if name == "programmes" and case.started:
            rows.append(("Started", str(case.started)))
    for name, taxonomy in catalogue.taxonomies.items():
        if name not in PANEL_TAXONOMIES and (terms := case.terms.get(name)):
            rows.append((taxonomy.label, ", ".join(term_anchor(t, uri) for t in terms)))
    items = "".join(f"<dt>{html.escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
    summary = f'<p class="cb-summary">{html.escape(case.summary)}</p>\n' if case.summary else ""
    return (
        f'{summary}<div class="cb-glance"><h2 class="cb-glance__title" id="at-a-glance">'
        f"At a glance</h2><dl>{items}</dl></div>\n"
    )


def case_study_footer(
    catalogue: Catalogue,
    case: CaseStudy,
    related_limit: int = 5,
    site_url: str = "",
    taken: frozenset[str] = frozenset(),
    related_html: str | None = None,
) -> HtmlBlock:
    """Related case studies, policy context, source and citation, after the body. `taken`
    is the heading ids the body already uses; `related_html`, if given, stands in for the
    related list (the plugin fills it in later), else the cases sharing most terms."""
    uri = case.src_uri
    block = HtmlBlock()
    if related_html is None:
        related = [other for other, _ in catalogue.related_cases(case, related_limit)]
        related_html = case_list(related, uri) if related else None
    if related_html:
        block += heading("Related case studies", "related-case-studies", taken=taken)
        block += HtmlBlock(related_html)
    policies = [catalogue.policies[slug] for slug in case.policies if slug in catalogue.policies]
    if policies:
        block += heading("Policy context", "policy-context", taken=taken)
        items = "\n".join(
            f'<li><a href="{html.escape(page_url_from(uri, p.src_uri))}">'
            f"{html.escape(p.title)}</a>"
            + (f": {html.escape(p.summary)}" if p.summary else "")
            + "</li>"
            for p in policies
        )
        block += HtmlBlock(f'<ul class="cb-policy-list">\n{items}\n</ul>\n')
    if case.source:
        block += heading("Source", "source", taken=taken)
        block += HtmlBlock(f"<p>{source_line(case)}</p>\n")
    block += heading("Cite this case study", "cite-this-case-study", taken=taken)
    block += HtmlBlock(f'<p class="cb-cite">{html.escape(citation(case, site_url))}</p>\n')
    return block


def browser_search_extract(case: CaseStudy) -> str:
    """What Material's in-browser index gets of a case study: one entry with its summary
    and place. The body is served by the Whoosh index and search API, themes by their own
    pages and partners by the catalogue's text filter; indexing everything in the browser
    made an 11 MB download at 1,000 case studies (measured)."""
    facets = [term.label for term in case.terms.get("places", ())]
    return f"<p>{html.escape(case.summary)}</p><p>{html.escape(' · '.join(facets))}</p>"


def source_line(case: CaseStudy) -> str:
    """The source as HTML. Only an http(s) address becomes a link: validation reports any
    other, and a build that goes on regardless must not link it."""
    source = case.source
    assert source is not None
    title = html.escape(source.title)
    if source.url and re.match(r"https?://", source.url, flags=re.I):
        title = f'<a href="{html.escape(source.url)}">{title}</a>'
    else:
        title = f"<em>{title}</em>"
    details = ", ".join(str(part) for part in (source.publisher, source.year) if part)
    return title + (f" ({html.escape(details)})." if details else ".")


def citation(case: CaseStudy, site_url: str = "") -> str:
    address = (site_url.rstrip("/") + "/" if site_url else "/") + case.url
    text = f"Casebook. {case.title}. Case study, {address}."
    if case.source:
        year = f", {case.source.year}" if case.source.year else ""
        text += f" Based on: {case.source.title} ({case.source.publisher}{year})."
    return text


def policy_footer(
    catalogue: Catalogue, policy: PolicyPage, taken: frozenset[str] = frozenset()
) -> HtmlBlock:
    cases = catalogue.citing(policy.slug)
    title = f"Case studies that relate to this ({len(cases)})"
    return heading(title, "case-studies-that-relate-to-this", taken=taken) + HtmlBlock(
        case_list(cases, policy.src_uri)
    )


# -- blocks an author places in a page with a marker ---------------------------------------


def expand_markers(markdown: str, catalogue: Catalogue, src_uri: str) -> str:
    """Replace `<!-- casebook:NAME [N] -->` with a generated block. Unknown names are left
    as they are (an HTML comment renders as nothing) and reported by validation."""

    def block(match: re.Match) -> str:
        name, number = match.group(1), match.group(2)
        maker = MARKERS.get(name)
        if maker is None:
            return match.group(0)
        return maker(catalogue, src_uri, int(number) if number else None)

    return MARKER.sub(block, markdown)


def theme_cards(catalogue: Catalogue, src_uri: str, _: int | None = None) -> str:
    taxonomy = catalogue.taxonomies.get("themes")
    if taxonomy is None:
        return ""
    cards = []
    for term in catalogue.terms_with_pages("themes"):
        count = len(catalogue.cases_for("themes", term.slug))
        cards.append(
            '<div class="cb-card cb-card--theme" markdown>\n\n'
            f"### {term_link(term, src_uri)}\n\n"
            f"{escape(term.description)}\n\n"
            f'<p class="cb-card__meta">{_count(count)}</p>\n\n</div>\n'
        )
    return '<div class="cb-cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"


def newest_cases(catalogue: Catalogue, src_uri: str, limit: int | None = None) -> str:
    cases = sorted(
        catalogue.case_studies,
        key=lambda case: (case.published.isoformat() if case.published else "", case.title),
        reverse=True,
    )[: limit or 5]
    return case_list(cases, src_uri)


def search_box(catalogue: Catalogue, src_uri: str, _: int | None = None) -> str:
    action = html.escape(page_url_from(src_uri, CATALOGUE_URI))
    return (
        f'<form class="cb-search" action="{action}" method="get" role="search">'
        '<label for="cb-home-search">Find a case study by title, summary or partner</label>'
        '<input type="search" id="cb-home-search" name="text" autocomplete="off">'
        '<button type="submit" class="md-button md-button--primary">Search</button></form>\n'
    )


def page_url_from(from_uri: str, to_uri: str) -> str:
    """The URL of `to_uri`'s page relative to `from_uri`'s page (directory URLs).

    The same answer as posixpath.relpath on the two page URLs, which was the largest
    single cost of the panels and lists (25,000 calls at 1,000 case studies)."""
    here, there = _url_parts(from_uri), _url_parts(to_uri)
    common = 0
    for mine, theirs in zip(here, there, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(here) - common) + list(there[common:])
    return "/".join(parts) + "/" if parts else "./"


@lru_cache(maxsize=65536)
def _url_parts(src_uri: str) -> tuple[str, ...]:
    return tuple(part for part in page_url(src_uri).split("/") if part)


MARKERS = {"themes": theme_cards, "newest": newest_cases, "search": search_box}
assert set(MARKERS) == set(MARKER_NAMES), "fields.MARKER_NAMES and MARKERS must agree"


# -- the Index as a self-assessment -----------------------------------------------------------

SELF_ASSESSMENT_URI = "index/self-assessment.md"
# A questionnaire stays readable in a large library: a few examples a principle, and a
# link to the principle's own page for the rest.
ASSESSMENT_CASES = 5
RATINGS = (
    ("not-started", "Not started"),
    ("emerging", "Emerging"),
    ("established", "Established"),
    ("embedded", "Embedded"),
)


def self_assessment_page(catalogue: Catalogue, taxonomy_name: str = "principles") -> GeneratedPage:
    """A questionnaire from the principles taxonomy: a rating and a note per principle, and
    the case studies that show it. The script keeps answers in the browser; without it the
    page is a printable questionnaire."""
    uri = SELF_ASSESSMENT_URI
    taxonomy = catalogue.taxonomies[taxonomy_name]
    parts = [
        front_matter(
            "Collaborative Providers Index self-assessment",
            "Rate your collaboration against each principle of the Index.",
        )
    ]
    parts.append(
        "Use the Collaborative Providers Index to take stock of your own collaboration. For "
        "each principle, read the questions, choose how far along you are and note why. "
        "Where you are weaker, the case studies listed under the principle show how others "
        "have worked on it.\n"
    )
    parts.append(
        '<div class="cb-assessment" id="cb-assessment" data-search-exclude markdown>\n\n'
        '<div class="cb-assessment__tools" id="cb-assessment-tools" hidden>'
        '<p class="cb-assessment__privacy">Your answers are saved only in this browser, on '
        "this device. Nothing is sent anywhere.</p>"
        '<button type="button" class="md-button" id="cb-export">Export as CSV</button>'
        '<label class="md-button" for="cb-import">Import a CSV</label>'
        '<input type="file" id="cb-import" accept=".csv,text/csv" class="cb-visually-hidden">'
        '<button type="button" class="md-button" id="cb-print">Print a summary</button>'
        '<button type="button" class="md-button" id="cb-clear-answers">Clear all answers'
        "</button></div>\n"
        '<p class="cb-status" id="cb-assessment-status" role="status" aria-live="polite"></p>\n'
    )
    groups = list(taxonomy.groups.values()) or [None]
    for group in groups:
        members = [t for t in taxonomy.terms.values() if group is None or t.group == group.slug]
        if group is not None:
            parts.append(f"## {escape(group.label)}\n")
            if group.description:
                parts.append(group.description + "\n")
        for term in members:
            parts.append(_assessment_item(catalogue, term, uri, group.label if group else ""))
    parts.append("</div>\n")
    return GeneratedPage(uri, "\n".join(parts))


def _assessment_item(catalogue: Catalogue, term: Term, uri: str, category: str) -> str:
    slug = html.escape(term.slug)
    label = html.escape(term.label)
    lines = [f"### {term_link(term, uri)}\n"]
    if term.description:
        lines.append(escape(term.description) + "\n")
    if term.questions:
        lines.append("\n".join(f"- {escape(question)}" for question in term.questions) + "\n")
    radios = "".join(
        f'<div class="cb-option"><input type="radio" id="rating-{slug}-{value}" '
        f'name="rating-{slug}" value="{value}"><label for="rating-{slug}-{value}">{text}'
        "</label></div>"
        for value, text in RATINGS
    )
    lines.append(
        f'<fieldset class="cb-rating" data-principle="{slug}" '
        f'data-label="{label}" data-category="{html.escape(category)}">'
        f"<legend>How far along are you with {label.lower()}?</legend>{radios}</fieldset>"
    )
    lines.append(
        f'<div class="cb-note"><label for="note-{slug}">Notes on {label.lower()}</label>'
        f'<textarea id="note-{slug}" name="note-{slug}" rows="3"></textarea></div>\n'
    )
    cases = catalogue.cases_for(term.taxonomy, term.slug)
    lines.append(
        "Case studies that show this principle:\n"
        if cases
        else "_No case study shows this principle yet._\n"
    )
    shown = cases[:ASSESSMENT_CASES]
    if shown:
        lines.append("\n".join(f"- {link(case.title, uri, case.src_uri)}" for case in shown) + "\n")
    if len(cases) > len(shown):
        more = link(f"all {len(cases)} on the {term.label} page", uri, term_src_uri(term))
        lines.append(f"See {more}.\n")
    return "\n".join(lines)
