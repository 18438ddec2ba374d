"""Each document's term counts (similarity.term_counts) kept between builds under a key of
its text, so a rebuild after one edit counts the words of one document, not the library.

Counting was half the related lists' CPU at 1,000 case studies, in every build. The key
hashes the text with the counting's version (this package's counting code, Whoosh's
stemmer and stop words), so a change to either starts afresh. Kept as the render cache
keeps pages (site/render_cache.py): checksummed JSON written under a temporary name and
renamed, so a damaged file is discarded whole with a warning and a killed build leaves
the previous one; a record that is not a mapping of terms to positive counts is counted
afresh. Only the build's second process, which works the related lists out, reads and
writes it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import whoosh
from whoosh.analysis import STOP_WORDS

from ..site.render_cache import RenderCache, digest
from . import similarity, whoosh_index

FILE = "term-counts.json"
FORMAT = 1


@functools.cache
def counting_version() -> str:
    """Everything a text's counts depend on besides the text."""
    hasher = hashlib.sha256(f"{FORMAT}\0{whoosh.versionstring()}\0".encode())
    hasher.update(" ".join(sorted(STOP_WORDS)).encode() + b"\0")
    for module in (similarity, whoosh_index):  # the words' pattern; the stemmer's rule
        hasher.update(Path(module.__file__).read_bytes() + b"\0")
    return hasher.hexdigest()


class TermCountCache:
    def __init__(self, path: Path | None):
        """The cache kept at `path`; None: one that keeps nothing (every text counted)."""
        self.records = None
        if path is not None:
            self.records = RenderCache(
                path,
                counting_version(),
                name="term count cache",
                without="every document's words are counted",
            )

    def counts(self, text: str) -> dict[str, int]:
        """The text's term counts: kept ones if this text was counted before."""
        if self.records is None:
            return similarity.term_counts(text)
        key = digest(text)
        record = self.records.get(key)
        if record is not None:
            counts = _restore(record)
            if counts is not None:
                return counts
            self.records.forget(key)  # not as this code writes records: counted afresh
        counts = similarity.term_counts(text)
        self.records.put(key, {"counts": counts})
        return counts

    def save(self) -> None:
        """Write the records this build used or made, unless they are what was read."""
        if self.records is not None and not self.records.unchanged():
            self.records.save()


def _restore(record: dict) -> dict[str, int] | None:
    counts = record.get("counts")
    if type(counts) is not dict:
        return None
    # JSON's keys are always text; the counts must be whole numbers above nought (a
    # bool is not one). Checked by type, not value by value in Python: this runs for
    # every document of every build.
    if counts and (set(map(type, counts.values())) != {int} or min(counts.values()) < 1):
        return None
    return counts
