"""The front-matter fields of each kind of document, declared once.

Validation, the JSON Schema and the `casebook new` template all read these specs, so a
rule changes in one place. Taxonomy fields come from taxonomy.yml, not from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SUMMARY_LIMIT = 300
POLICY_KINDS = ("legislation", "guidance", "framework", "body")
# Material for MkDocs reads these from any page; contributors may set only these two.
# `template`, `icon`, `status` and `search` are refused: a page that picks its own
# template can render as anything (`template: sitemap.xml`). Generated pages set `hide`
# and `search` themselves; they are not contributed.
THEME_KEYS = ("hide", "description")
HIDE_VALUES = ("navigation", "toc", "footer", "path", "tags", "feedback")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # text | year | date | slug_list | source | source_list | url | choice
    help: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()


# Each key of a source and whether it is required. `section` names the part of the source
# a page was written from (a chapter, heading or page), so a reader can check a claim.
SOURCE_KEYS = {
    "title": True,
    "publisher": True,
    "year": False,
    "url": False,
    "section": False,
    "publisher_url": False,
}
SOURCES_ITEM_KEYS = {**SOURCE_KEYS, "section": True}
# A newer field and the older one it replaces: a page with only the older one is told how
# to move to the newer, and the model still reads it, so an old page keeps building.
LEGACY_FIELDS = {"sources": "source"}
SOURCES_HELP = (
    "the sources the facts come from, a list: each '- title:' with publisher, section "
    "(the part used), and year and url where known"
)

CASE_STUDY_FIELDS = (
    FieldSpec("title", "text", "the case study's name, as the source names the work", True),
    FieldSpec(
        "summary",
        "text",
        "one or two sentences: who did what, for whom",
        True,
        max_length=SUMMARY_LIMIT,
    ),
    FieldSpec("started", "year", "the year the work began, if the source gives it"),
    FieldSpec("policies", "slug_list", "slugs of pages in content/policy/ the work relates to"),
    FieldSpec("sources", "source_list", SOURCES_HELP, True),
    FieldSpec("source", "source", "the older, single form of 'sources'; use 'sources' instead"),
    FieldSpec("published", "date", "the date this case study was added (YYYY-MM-DD)"),
)

POLICY_FIELDS = (
    FieldSpec("title", "text", "the name of the law, guidance, framework or body", True),
    FieldSpec(
        "summary", "text", "one or two sentences on what it is", True, max_length=SUMMARY_LIMIT
    ),
    FieldSpec("kind", "choice", "what sort of policy it is", True, choices=POLICY_KINDS),
    FieldSpec("year", "year", "the year it was passed or published, if the source gives it"),
    FieldSpec(
        "official_url",
        "url",
        "the public address of the legislation or guidance itself, only once confirmed",
    ),
    FieldSpec("sources", "source_list", SOURCES_HELP, True),
    FieldSpec("source", "source", "the older, single form of 'sources'; use 'sources' instead"),
)

PAGE_FIELDS = (
    FieldSpec("title", "text", "the page title"),
    FieldSpec(
        "summary", "text", "one or two sentences on what the page is for", max_length=SUMMARY_LIMIT
    ),
)

FIELDS_BY_KIND = {"case_study": CASE_STUDY_FIELDS, "policy": POLICY_FIELDS, "page": PAGE_FIELDS}


def documented_keys(taxonomy_fields: Iterable[str]) -> set[str]:
    """Every front-matter key a contributor may write, on any kind of page."""
    specs = (spec.name for fields in FIELDS_BY_KIND.values() for spec in fields)
    return {*specs, *taxonomy_fields, *THEME_KEYS}


# Blocks a page may ask for with `<!-- casebook:NAME [N] -->` (see generate.MARKERS).
MARKER = re.compile(r"<!--\s*casebook:([a-z-]+)(?:\s+(\d+))?\s*-->")
MARKER_NAMES = ("themes", "newest", "search")
