"""The static search index: a Pagefind bundle built from the same search documents as the
Whoosh index, so a reader's search works from static files (GitHub Pages, `make serve`).

Each document goes to Pagefind as a small HTML record whose parts carry the Whoosh field
weights (data-pagefind-weight), whose facets are Pagefind filters and whose kind is
metadata. Pagefind chunks the index, so a query fetches only the few files it needs. The
bundle is written beside the live site and swapped in whole (see StagedBundle)."""

from __future__ import annotations

import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..site.file_writer import is_inside, write_files
from ..site.search_page import SEARCH_FACETS
from .pagefind_cli import StaticIndexError, index_pages
from .vocabulary import VOCABULARY_FILE, vocabulary_json
from .whoosh_index import LIST_SEPARATOR, TEXT_FIELDS, SearchDocument

BUNDLE_DIR = "pagefind"  # the bundle's folder in the site
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# Pagefind weighs a word by the weight of its element; an h1 counts 7 by default, so the
# record uses plain elements and states every weight (the Whoosh boosts, scaled so the
# body keeps Pagefind's usual 1).
_WEIGHTS = {name: f"{weight:g}" for name, weight in TEXT_FIELDS.items()}


def record_html(document: SearchDocument) -> str:
    """One document as the HTML Pagefind reads: every text escaped, facets as filters."""
    e = html.escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(document.title)}</title></head><body>",
        f'<div data-pagefind-body data-pagefind-meta="kind:{e(document.kind)}">',
        f'<p data-pagefind-meta="title" data-pagefind-weight="{_WEIGHTS["title"]}">'
        f"{e(document.title)}</p>",
    ]
    for name in ("summary", "headings", "labels"):
        # Headings and labels are LIST_SEPARATOR-separated for Whoosh; a reader sees them in
        # Pagefind's excerpts, where a list reads better with semicolons.
        text = getattr(document, name)
        if name != "summary":
            text = "; ".join(part for part in text.split(LIST_SEPARATOR) if part)
        if text:
            parts.append(f'<p data-pagefind-weight="{_WEIGHTS[name]}">{e(text)}</p>')
    if document.body:
        parts.append(f"<p>{e(document.body)}</p>")
    parts.append(f'<span data-pagefind-filter="kind:{e(document.kind)}"></span>')
    if document.kind == "case_study":
        # The catalogue needs every matching case study, not the top few: the counts of
        # this filter name them all without fetching each result's fragment.
        parts.append(f'<span data-pagefind-filter="case:{e(document.slug)}"></span>')
    # Only the facets the search page filters by: Pagefind loads every filter's values
    # with a filtered query, and partners alone would outweigh the rest.
    for facet in SEARCH_FACETS:
        for value in document.facets.get(facet, ()):
            parts.append(f'<span data-pagefind-filter="{e(facet)}:{e(value)}"></span>')
    parts.append("</div></body></html>")
    return "".join(parts)


def write_bundle(
    documents: list[SearchDocument],
    output: Path,
    vocabulary: dict[str, int] | None,
    previous: Path | None = None,
) -> None:
    """Build the Pagefind bundle into `output` (created afresh), with the vocabulary
    for "did you mean" beside it (None: the caller adds it). Files with the same bytes
    as in `previous` (the last build's bundle) are hard links to them.

    Pagefind's binary indexes the records in a scratch folder (pagefind_cli.py); its
    files come back to be written here, each whole."""
    output = Path(output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        files = index_pages([("/" + page.url, record_html(page)) for page in documents])
        if "pagefind-entry.json" not in files:
            raise StaticIndexError("Pagefind could not build the search bundle: no output")
        for unused in UNUSED_FILES:  # Pagefind's own UIs: the site draws its results itself
            files.pop(unused, None)
        _write_files(output, files, previous)
        if vocabulary is not None:
            (output / VOCABULARY_FILE).write_text(vocabulary_json(vocabulary), encoding="utf-8")
    except BaseException:
        shutil.rmtree(output, ignore_errors=True)
        raise


def _write_files(output: Path, files: dict[str, bytes], previous: Path | None = None) -> None:
    """The bundle's files under `output`, each unchanged one linked from `previous` (the
    last build's bundle); a path that would leave it is refused. Checked by its letters:
    `output` is made afresh, so no link inside it can lead out."""
    for name in files:
        if not is_inside(name):
            raise StaticIndexError(
                f"Pagefind could not build the search bundle: a file outside it ({name})"
            )
    written = write_files(output, files.items(), previous)
    if written.failures:
        raise written.failures[0][1]


def bundle_staging_path(anchor: Path) -> Path:
    """Where the bundle is built: beside `anchor` (the Whoosh index or the site), on the
    same filesystem, so publishing it is a rename."""
    anchor = Path(anchor)
    return anchor.with_name(f".{anchor.name}.pagefind-{os.getpid()}")


@dataclass
class StagedBundle:
    """A finished bundle, not yet in the site."""

    path: Path

    def publish(self, site_dir: Path) -> None:
        """Put the bundle at site_dir/pagefind in one swap; a copy first when the site is
        on another filesystem."""
        live = Path(site_dir) / BUNDLE_DIR
        live.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(self.path).st_dev != os.stat(live.parent).st_dev:
            local = live.with_name(f".{BUNDLE_DIR}.incoming-{os.getpid()}")
            shutil.rmtree(local, ignore_errors=True)
            shutil.copytree(self.path, local)
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = local
        # A plain folder inside the site, not a published generation: the site itself is
        # one (build/site), and an identical build must write identical files.
        retired = live.with_name(f".{BUNDLE_DIR}.retired-{os.getpid()}")
        if live.is_symlink() or live.is_file():
            live.unlink()
        elif live.exists():
            live.rename(retired)
        self.path.rename(live)
        shutil.rmtree(retired, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
