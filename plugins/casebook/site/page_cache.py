"""Pages as the theme rendered them, kept between builds, so a rebuild runs the theme's
templates only for pages whose inputs changed.

The theme's template is a third of a warm rebuild (cProfile, 1,000 cases): every page
prints the whole nav, header and footer. Its output depends on the page (content, toc,
title, meta, place in the nav) and on the build (configuration, nav, every page's title,
the theme's files, versions); the adapter turns both into one key, and a record is used
only under exactly that key.

All pages are kept in one file, as the render cache keeps Markdown (render_cache.py: JSON
after its SHA-256, so a damaged file is found and every page rendered afresh, never
published). One file per page cost a cold build 1,273 file creations at N=1,000 (2.2 s
on this disk under load); one 36 MB file is written in a fraction of that.
Nothing here knows about MkDocs.
"""

from __future__ import annotations

from pathlib import Path

from .render_cache import CacheOverRecords, RenderCache

CACHE_FILE = "pages.json"


class PageCache(CacheOverRecords):
    def __init__(self, directory: Path, context: str):
        self.records = RenderCache(Path(directory) / CACHE_FILE, context)

    def get(self, key: str) -> tuple[str, str] | None:
        """(the page, the placeholder it holds for this build's related list) or None."""
        record = self.records.get(key)
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("page"), str)
            or not isinstance(record.get("slot"), str)
        ):
            self.records.forget(key)
            return None
        return record["page"], record["slot"]

    def put(self, key: str, page: str, slot: str) -> None:
        self.records.put(key, {"page": page, "slot": slot})
