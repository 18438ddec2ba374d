"""Rendered pages kept between builds, so a rebuild renders only the Markdown that changed.

MkDocs renders every page on every build; Markdown is about half of that time. A page's
rendering depends on its own Markdown and on the build's "context": the Markdown
extensions and their settings, the versions of the renderer, and the set of files (links
are resolved and checked against it). Entries are keyed by a hash of the Markdown and
kept only while the context is the same; any change to it starts an empty cache.

Stored as JSON (never pickle: a cache file must not be able to run code), one record a
line after a header line, all after a line with the SHA-256 of the rest, so a damaged
file (truncated, a record emptied) is found and discarded whole rather than fail every
build. A record a build used unchanged is copied back from the file it was read from, so
a rebuild after one edit encodes one page, not every page (0.25 s for the theme's output
at 1,000 case studies). A second process working on a fork of a build's caches journals
what it uses and makes, for the build to replay. Nothing here knows about MkDocs; the
plugin decides what a record holds.

Over 250 lines because the file format (checksum, header, one record a line, spans to
copy back) and its reading, writing and journal are one thing; split, each half would
need the other's details of the format.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from .directories import remove_dead_staging

FORMAT = 3
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
        "casebook.site.quick_markdown",  # the plugin adds it: the same output, sooner
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
        # Where each record read lies in the file, and the file as it was read: a record
        # this build used unchanged is copied back from it rather than encoded again.
        self._spans: dict[str, tuple[int, int]] = {}
        self._unchanged: set[str] = set()
        self._read_from: tuple[int, int, int, bytes] | None = None
        self.hits = self.misses = 0
        # While a list: each record used or made, (key, None) or (key, record), for
        # another process to do the same to its copy of this cache (replay()).
        self.journal: list[tuple[str, Any]] | None = None
        self._read()

    def _read(self) -> None:
        try:
            with self.path.open("rb") as file:
                raw = file.read()
                status = os.fstat(file.fileno())
        except FileNotFoundError:
            return  # no cache yet
        except NotADirectoryError:
            self._discard(f"{self.path.parent} is a file, not a directory")
            return
        except OSError as error:
            self._discard(f"it cannot be read: {error.strerror or error}")
            return
        start = raw.find(b"\n") + 1
        checksum = raw[: max(start - 1, 0)]
        if checksum != hashlib.sha256(memoryview(raw)[start:]).hexdigest().encode():
            self._discard("it is not as written (its checksum differs)")
            return
        try:
            records = _records(raw, start, self.context)
        except ValueError:
            self._discard("it is not JSON")
            return
        except RecursionError:  # json's limit, which no record of ours comes near
            self._discard("it is nested too deeply")
            return
        if records is not None:
            self._old, self._spans = records
            self._read_from = (status.st_ino, status.st_size, status.st_mtime_ns, checksum)

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
        self._unchanged.add(key)
        if self.journal is not None:
            self.journal.append((key, None))
        return record

    def put(self, key: str, record: Any) -> None:
        self._new[key] = record
        self._unchanged.discard(key)
        if self.journal is not None:
            self.journal.append((key, record))

    def replay(self, journal: list) -> None:
        """What another process's copy of this cache journaled, done to this one: each
        record it used is kept, each it made is put. An entry not of that shape is left
        out (a record missing makes a later build work, never go wrong)."""
        for entry in journal:
            if not (isinstance(entry, list | tuple) and len(entry) == 2):
                continue
            key, record = entry
            if not isinstance(key, str):
                continue
            if record is None:
                self.get(key)
            else:
                self.put(key, record)

    def forget(self, key: str) -> None:
        """Leave a record out of the saved cache (its page was found damaged); one that
        get() returned counts as a miss, not a hit."""
        self._unchanged.discard(key)
        if self._new.pop(key, None) is not None:
            self.hits, self.misses = self.hits - 1, self.misses + 1

    def unchanged(self) -> bool:
        """True when save() would write back what was read: every record used, none made."""
        return (
            self.misses == 0
            and self._new.keys() == self._old.keys()
            and self._unchanged == self._new.keys()
        )

    def kept(self) -> list[str]:
        """The keys save() writes: the records this build used or made."""
        return list(self._new)

    def save(self) -> bool:
        """Write the entries this build used or made (stale ones drop out), atomically.
        A cache that cannot be written (read-only or full disk) is a warning, not a
        failed build: the next build does without it."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lines: list[bytes | memoryview] = [_header(self.context)]
            previous = self._previous()
            for key, record in self._new.items():
                span = self._spans.get(key) if key in self._unchanged else None
                if previous is not None and span is not None:
                    lines.append(previous[span[0] : span[1]])
                else:
                    lines.append(_line(key, record))
            hasher = hashlib.sha256()
            for line in lines:
                hasher.update(line)
            with temporary.open("wb") as file:
                file.write(hasher.hexdigest().encode() + b"\n")
                file.writelines(lines)
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

    def _previous(self) -> memoryview | None:
        """The file as this cache read it, or None if it is not there as it was (another
        build replaced it): records are then encoded again."""
        if self._read_from is None or not self._unchanged:
            return None
        inode, size, modified, checksum = self._read_from
        try:
            with self.path.open("rb") as file:
                status = os.fstat(file.fileno())
                if (status.st_ino, status.st_size, status.st_mtime_ns) != (inode, size, modified):
                    return None
                raw = file.read()
        except OSError:
            return None
        return memoryview(raw) if raw.startswith(checksum + b"\n") else None


def _header(context: str) -> bytes:
    return json.dumps({"format": FORMAT, "context": context}).encode() + b"\n"


def _line(key: str, record: Any) -> bytes:
    """One record: its key and its value as JSON, a tab between (JSON escapes any tab or
    newline within them), ASCII only."""
    return f"{json.dumps(key)}\t{json.dumps(record, separators=(',', ':'))}\n".encode()


def _records(
    raw: bytes, start: int, context: str
) -> tuple[dict[str, Any], dict[str, tuple[int, int]]] | None:
    """The records after the checksum line, and where each lies; None for a cache of
    another format or context. ValueError for anything else than our lines."""
    end = raw.find(b"\n", start)
    if end < 0:  # a file of an earlier format is one JSON document: ignored, as any other
        end = len(raw)
    header = json.loads(raw[start:end])
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return None
    if header.get("context") != context:
        return None
    records: dict[str, Any] = {}
    spans: dict[str, tuple[int, int]] = {}
    position = end + 1
    while position < len(raw):
        end = raw.find(b"\n", position)
        tab = raw.find(b"\t", position, end)
        if end < 0 or tab < 0:
            raise ValueError("not a record")
        key = json.loads(raw[position:tab])
        if not isinstance(key, str) or key in records:
            raise ValueError("not a key")
        records[key] = json.loads(raw[tab + 1 : end])
        spans[key] = (position, end + 1)
        position = end + 1
    return records, spans


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
