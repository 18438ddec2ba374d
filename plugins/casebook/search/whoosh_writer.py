"""Writing the Whoosh index with less Python a posting: the same files, byte for byte, as
Whoosh's own format makes (a test compares them).

A library's bodies make most of its postings (315,000 at 1,000 cases), and Whoosh spends
several calls on each: a Token object a word and a pickle a posting."""

from __future__ import annotations

from itertools import pairwise
from pickle import dumps

from whoosh.formats import Positions
from whoosh.system import pack_uint


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
