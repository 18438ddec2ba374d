"""The static search index: a Pagefind bundle built from the same search documents as the
Whoosh index, so a reader's search works from static files (GitHub Pages, `make serve`).

Each document goes to Pagefind as a small HTML record whose parts carry the Whoosh field
weights (data-pagefind-weight), whose facets are Pagefind filters and whose kind is
metadata. Pagefind chunks the index, so a query fetches only the few files it needs. The
bundle is written beside the live site and swapped in whole (see StagedBundle)."""

from __future__ import annotations

import asyncio
import html
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from ..site.directories import swap_directory
from ..site.search_page import SEARCH_FACETS
from .vocabulary import VOCABULARY_FILE, vocabulary_json
from .whoosh_index import TEXT_FIELDS, SearchDocument

BUNDLE_DIR = "pagefind"  # the bundle's folder in the site
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
        text = getattr(document, name)
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


class StaticIndexError(Exception):
    """Pagefind could not build the bundle (the message says why)."""


async def _write_bundle(documents: list[SearchDocument], output: Path) -> None:
    from pagefind.index import PagefindIndex

    config = {"force_language": "en", "output_path": str(output)}
    async with PagefindIndex(config=config) as index:
        for document in documents:
            await index.add_html_file(content=record_html(document), url="/" + document.url)


def _run_apart(work) -> None:
    """Run `work` in a thread of its own: Pagefind's client needs an event loop, and the
    caller may already be running one (a test driving a browser, say)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name="casebook-pagefind-client")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def write_bundle(documents: list[SearchDocument], output: Path, vocabulary: dict[str, int]) -> None:
    """Build the Pagefind bundle into `output` (created afresh), with the vocabulary
    for "did you mean" beside it."""
    output = Path(output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run_apart(lambda: asyncio.run(_write_bundle(documents, output)))
    except Exception as error:  # the service reports its own errors as plain exceptions
        shutil.rmtree(output, ignore_errors=True)
        raise StaticIndexError(f"Pagefind could not build the search bundle: {error}") from error
    if not (output / "pagefind.js").is_file():
        shutil.rmtree(output, ignore_errors=True)
        raise StaticIndexError("Pagefind wrote no search bundle")
    (output / VOCABULARY_FILE).write_text(vocabulary_json(vocabulary), encoding="utf-8")


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
        swap_directory(self.path, live)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
