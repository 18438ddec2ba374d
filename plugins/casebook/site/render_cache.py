"""Rendered pages kept between builds, so a rebuild renders only the Markdown that changed.

MkDocs renders every page on every build; Markdown is about half of that time. A page's
rendering depends on its own Markdown and on the build's "context": the Markdown
extensions and their settings, the versions of the renderer, and the set of files (links
are resolved and checked against it). Entries are keyed by a hash of the Markdown and
kept only while the context is the same; any change to it starts an empty cache.

Stored as JSON (never pickle: a cache file must not be able to run code). Nothing here
knows about MkDocs; the plugin decides what a record holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

FORMAT = 1

# Extensions whose output depends only on the page's text and their settings. Any other
# (one that reads other files, say) turns the cache off rather than risk a stale page.
PURE_EXTENSIONS = frozenset(
    {
        "abbr",
        "admonition",
        "attr_list",
        "def_list",
        "fenced_code",
        "footnotes",
        "md_in_html",
        "sane_lists",
        "smarty",
        "tables",
        "toc",
    }
)


def digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def cacheable(extensions: list[Any]) -> bool:
    """True when every Markdown extension is a known pure one, named as a string."""
    names = [e.removeprefix("markdown.extensions.") for e in extensions if isinstance(e, str)]
    return len(names) == len(extensions) and set(names) <= PURE_EXTENSIONS


class RenderCache:
    def __init__(self, path: Path, context: str):
        self.path = Path(path)
        self.context = context
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self.hits = self.misses = 0
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no cache yet, or an unreadable one: start empty
        if (
            isinstance(stored, dict)
            and stored.get("format") == FORMAT
            and stored.get("context") == context
            and isinstance(stored.get("pages"), dict)
        ):
            self._old = stored["pages"]

    def get(self, key: str) -> Any | None:
        record = self._old.get(key)
        if record is None:
            self.misses += 1
            return None
        self.hits += 1
        self._new[key] = record
        return record

    def put(self, key: str, record: Any) -> None:
        self._new[key] = record

    def save(self) -> None:
        """Write the entries this build used or made (stale ones drop out), atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        payload = {"format": FORMAT, "context": self.context, "pages": self._new}
        temporary.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
