"""Rendered pages kept between builds, so a rebuild renders only the Markdown that changed.

MkDocs renders every page on every build; Markdown is about half of that time. A page's
rendering depends on its own Markdown and on the build's "context": the Markdown
extensions and their settings, the versions of the renderer, and the set of files (links
are resolved and checked against it). Entries are keyed by a hash of the Markdown and
kept only while the context is the same; any change to it starts an empty cache.

Stored as JSON (never pickle: a cache file must not be able to run code) after a line
with the SHA-256 of that JSON, so a damaged file (truncated, a record emptied) is found
and discarded whole rather than fail every build. Nothing here knows about MkDocs; the
plugin decides what a record holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from .directories import remove_dead_staging

FORMAT = 2
log = logging.getLogger("casebook.render_cache")

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


_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace


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
    def __init__(
        self,
        path: Path,
        context: str,
        *,
        name: str = "render cache",
        without: str = "every page is rendered",
    ):
        self.path = Path(path)
        self.context = context
        # What the warnings call this cache, and what a build does without it.
        self.name, self.without = name, without
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self.hits = self.misses = 0
        stored = self._read()
        if (
            isinstance(stored, dict)
            and stored.get("format") == FORMAT
            and stored.get("context") == context
            and isinstance(stored.get("pages"), dict)
        ):
            self._old = stored["pages"]

    def _read(self) -> Any:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None  # no cache yet
        except NotADirectoryError:
            self._discard(f"{self.path.parent} is a file, not a directory")
            return None
        except OSError as error:
            self._discard(f"it cannot be read: {error.strerror or error}")
            return None
        # Read in place: a copy of the text after the checksum line, and JSON's own copy
        # of the bytes as text, were 40 MB of fresh memory (page faults) a warm build.
        start = raw.find(b"\n") + 1
        if raw[: max(start - 1, 0)] != hashlib.sha256(memoryview(raw)[start:]).hexdigest().encode():
            self._discard("it is not as written (its checksum differs)")
            return None
        try:
            text = raw.decode("utf-8")
            del raw
            # As json.loads, from after the checksum line: whitespace around, nothing else.
            stored, end = json.JSONDecoder().raw_decode(text, _SPACE.match(text, start).end())
            if _SPACE.match(text, end).end() != len(text):
                raise ValueError("data after the JSON")
            return stored
        except ValueError:
            self._discard("it is not JSON")
            return None
        except RecursionError:  # json's limit, which no record of ours comes near
            self._discard("it is nested too deeply")
            return None

    def _discard(self, why: str) -> None:
        log.warning(f"the {self.name} {self.path} is damaged ({why}); {self.without}")
        try:
            if self.path.parent.is_file():
                self.path.parent.unlink()
            elif self.path.is_dir():
                shutil.rmtree(self.path)
            else:
                self.path.unlink(missing_ok=True)
        except OSError:
            pass  # save() says so if the place still cannot be written

    def get(self, key: str) -> Any | None:
        record = self._old.get(key)
        if not isinstance(record, dict) or not record:
            self.misses += 1
            return None
        self.hits += 1
        self._new[key] = record
        return record

    def put(self, key: str, record: Any) -> None:
        self._new[key] = record

    def forget(self, key: str) -> None:
        """Leave a record out of the saved cache (its page was found damaged); one that
        get() returned counts as a miss, not a hit."""
        if self._new.pop(key, None) is not None:
            self.hits, self.misses = self.hits - 1, self.misses + 1

    def unchanged(self) -> bool:
        """True when save() would write back what was read: every record used, none made."""
        return self.misses == 0 and self._new.keys() == self._old.keys()

    def kept(self) -> list[str]:
        """The keys save() writes: the records this build used or made."""
        return list(self._new)

    def save(self) -> bool:
        """Write the entries this build used or made (stale ones drop out), atomically.
        A cache that cannot be written (read-only or full disk) is a warning, not a
        failed build: the next build does without it."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        payload = {"format": FORMAT, "context": self.context, "pages": self._new}
        text = json.dumps(payload, separators=(",", ":"))
        # Hashed and written a megabyte at a time: the whole text as bytes was a second
        # copy of it (28 MB of fresh memory for the block cache at 1,000 case studies).
        parts = range(0, len(text), 1 << 20)
        hasher = hashlib.sha256()
        for start in parts:
            hasher.update(text[start : start + (1 << 20)].encode("utf-8"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                file.write(hasher.hexdigest().encode() + b"\n")
                for start in parts:
                    file.write(text[start : start + (1 << 20)].encode("utf-8"))
            os.replace(temporary, self.path)
            remove_dead_staging(self.path.parent, f".{self.path.name}.")  # killed builds'
        except OSError as error:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            log.warning(
                f"the {self.name} could not be saved to {self.path} "
                f"({error.strerror or error}); in the next build {self.without}"
            )
            return False
        return True


class CacheOverRecords:
    """A cache whose records are one RenderCache file (`records`): its counts are the
    file's, and saving it keeps the records this build used or made."""

    records: RenderCache

    @property
    def hits(self) -> int:
        return self.records.hits

    @property
    def misses(self) -> int:  # a record found damaged counts here (RenderCache.forget)
        return self.records.misses

    def save(self) -> None:
        """Keep the records this build used or made; the rest drop out."""
        self.records.save()
