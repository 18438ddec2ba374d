"""Writing the Whoosh index with less Python a posting: the same files, byte for byte, as
Whoosh's own format and writer make (a test compares them), in about half the CPU.

A library's bodies make most of its postings (315,000 at 1,000 cases), and Whoosh spends
several calls on each: a Token object a word, a pickle and a pool entry a posting, and at
commit a read of the document's field length from the column just written."""

from __future__ import annotations

from itertools import pairwise
from pickle import dumps

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.formats import Positions
from whoosh.system import pack_uint
from whoosh.writing import PostingPool, SegmentWriter


class GroupedPositions(Positions):
    """Whoosh's Positions format, taking each word's positions from the analyzer at once
    where it can give them (`word_positions`, as WordAnalyzer does) rather than a Token
    at a time. What it yields, and so what the index holds, is Positions' own."""

    def word_values(self, value, analyzer, **kwargs):
        word_positions = getattr(analyzer, "word_positions", None)
        if word_positions is None or not isinstance(value, str) or kwargs.keys() - {"mode"}:
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        values = []
        for word, positions in word_positions(value).items():
            count = len(positions)
            values.append((word, count, float(count) * boost, encoded_positions(positions)))
        return values


_ONE = pack_uint(1)
_ONE_POSITION: dict[int, bytes] = {}  # Half the postings have one position: pickled once.


def encoded_positions(positions: list[int]) -> bytes:
    """`Positions.encode(positions)`: the count, then the gaps between them, pickled."""
    if len(positions) == 1:
        position = positions[0]
        pickled = _ONE_POSITION.get(position)
        if pickled is None:
            pickled = _ONE_POSITION[position] = dumps([position], 2)
        # A new object each time: a block of postings is pickled, and pickle writes an
        # object it has seen as a reference, so a shared one would change the bytes.
        return _ONE + pickled
    gaps = [positions[0]]
    gaps += [after - before for before, after in pairwise(positions)]
    return pack_uint(len(positions)) + dumps(gaps, 2)


class _Pool(PostingPool):
    """Whoosh's pool of postings, adding one with the same size estimate (so it spills
    to disk at the same point) without type checks on every posting."""

    def add(self, item):
        fieldname, text, _, _, value = item
        self.fieldnames.add(fieldname)
        # PostingPool.add's estimate: 150 bytes of tuple, number and string overheads
        self.currentsize += 150 + len(fieldname) + 2 * len(text) + len(value or "")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


class _FieldLengths:
    """A segment's per-document reader whose field lengths are read once per field into
    a list: writing the postings asks for one a posting."""

    def __init__(self, reader: W3PerDocReader):
        self._reader = reader
        self._lengths: dict[tuple[str, object], list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            lengths = self._lengths[fieldname, default] = self._read(fieldname, default)
        return lengths[docnum]

    def _read(self, fieldname: str, default) -> list:
        reader = self._reader
        return [
            reader.doc_field_length(docnum, fieldname, default)
            for docnum in range(reader.doc_count_all())
        ]

    def __getattr__(self, name):
        return getattr(self._reader, name)


class IndexWriter(SegmentWriter):
    """Whoosh's segment writer with the pool and the length reads above."""

    def __init__(self, ix, limitmb: int):
        super().__init__(ix, limitmb=limitmb)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return _FieldLengths(super().per_document_reader())
