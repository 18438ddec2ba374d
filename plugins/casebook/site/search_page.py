"""The full search results page at /search/: its body from an autoescaped Jinja template,
filled in the browser by assets/search.js from the static (Pagefind) index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..content.model import Catalogue, page_url
from .generate import CATALOGUE_URI, GeneratedPage, HtmlBlock, front_matter

SEARCH_URI = "search/index.md"
# The facets a reader can narrow results by (kind is filtered apart: pages of every kind
# are listed, case studies and policy first).
SEARCH_FACETS = ("themes", "principles", "places", "programmes")
TEMPLATES = Path(__file__).parent / "templates"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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


def search_page(catalogue: Catalogue) -> GeneratedPage:
    facets = [
        Facet(name, catalogue.taxonomies[name].label, catalogue.terms_with_pages(name))
        for name in SEARCH_FACETS
        if name in catalogue.taxonomies and catalogue.terms_with_pages(name)
    ]
    indexes = [
        IndexLink(taxonomy.label, _from_search_page(f"{name}/index.md"))
        for name, taxonomy in catalogue.taxonomies.items()
    ]
    body = _environment.get_template("casebook/search_page.html").render(
        facets=facets,
        indexes=indexes,
        catalogue_url=_from_search_page(CATALOGUE_URI),
    )
    markdown = front_matter(
        "Search", "Search every case study and policy page.", hide=("toc",), search_exclude=True
    )
    return GeneratedPage(SEARCH_URI, markdown, HtmlBlock(body, search_exclude=True))
