"""Pages as the theme rendered them, kept between builds, so a rebuild runs the theme's
templates only for pages whose inputs changed.

The theme's template is a third of a warm rebuild (cProfile, 1,000 cases): every page
prints the whole nav, header and footer. Its output depends on the page (content, toc,
title, meta, place in the nav) and on the build (configuration, nav, every page's title,
the theme's files, versions); the adapter turns both into one key, and a record is used
only under exactly that key. Each page is a file named by its key, and an index records
each file's SHA-256, so a damaged file is found and rendered afresh, never published.
Nothing here knows about MkDocs.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from .render_cache import RenderCache

log = logging.getLogger("casebook.page_cache")


class PageCache:
    def __init__(self, directory: Path, context: str):
        self.directory = Path(directory)
        self.pages = self.directory / "pages"
        self.index = RenderCache(self.directory / "pages.json", context)
        self.hits = self.misses = 0

    def get(self, key: str) -> tuple[str, str] | None:
        """(the page, the placeholder it holds for this build's related list) or None."""
        record = self.index.get(key)
        if not isinstance(record, dict) or not isinstance(record.get("slot"), str):
            self.misses += 1
            return None
        try:
            raw = (self.pages / f"{key}.html").read_bytes()
        except OSError:
            raw = b""
        if hashlib.sha256(raw).hexdigest() != record.get("sha256"):
            log.warning(f"the page cache {self.pages} is damaged ({key}.html); it is rendered")
            self.index.forget(key)
            self.misses += 1
            return None
        self.hits += 1
        return raw.decode("utf-8"), record["slot"]

    def put(self, key: str, page: str, slot: str) -> None:
        raw = page.encode("utf-8")
        temporary = self.pages / f".{key}-{os.getpid()}"
        try:
            self.pages.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(raw)
            os.replace(temporary, self.pages / f"{key}.html")
        except OSError:
            temporary.unlink(missing_ok=True)
            return  # not kept: the next build renders it again
        self.index.put(key, {"sha256": hashlib.sha256(raw).hexdigest(), "slot": slot})

    def save(self) -> None:
        """Write the index of the pages this build used or made, and remove the rest."""
        if not self.index.save():
            return
        kept = {f"{key}.html" for key in self.index.kept()}
        try:
            entries = list(self.pages.iterdir())
        except OSError:
            return
        for entry in entries:  # stale pages, and any a killed build was writing
            if entry.name not in kept:
                entry.unlink(missing_ok=True)
