"""The full search results page at /search/: its body from an autoescaped Jinja template,
filled in the browser by assets/search.js from the static (Pagefind) index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content.model import Catalogue, page_url
from .generate import CATALOGUE_URI, GeneratedPage, front_matter
from .templating import Templates

SEARCH_URI = "search/index.md"
# The facets a reader can narrow results by (kind is filtered apart: pages of every kind
# are listed, case studies and policy first).
SEARCH_FACETS = ("themes", "principles", "places", "programmes")
# Also the folder of the header search partial (partials/search.html), which the plugin
# puts among the theme's template folders, after the site's own overrides.
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    terms: list


@dataclass(frozen=True)
class IndexLink:
    label: str
    url: str


def _from_search_page(src_uri: str) -> str:
    """A link from /search/ to another page (this HTML is placed after Markdown, so
    MkDocs does not resolve .md links in it)."""
    return "../" + page_url(src_uri)


def search_page(catalogue: Catalogue, templates: Templates) -> GeneratedPage:
    facets = [
        Facet(name, catalogue.taxonomies[name].label, catalogue.terms_with_pages(name))
        for name in SEARCH_FACETS
        if name in catalogue.taxonomies and catalogue.terms_with_pages(name)
    ]
    indexes = [
        IndexLink(taxonomy.label, _from_search_page(f"{name}/index.md"))
        for name, taxonomy in catalogue.taxonomies.items()
    ]
    after = templates.block(
        "casebook/search_page.html",
        search_exclude=True,
        facets=facets,
        indexes=indexes,
        catalogue_url=_from_search_page(CATALOGUE_URI),
    )
    markdown = front_matter(
        "Search", "Search every case study and policy page.", hide=("toc",), search_exclude=True
    )
    return GeneratedPage(SEARCH_URI, markdown, after=after)
