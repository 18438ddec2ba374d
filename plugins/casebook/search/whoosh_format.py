"""The text fields' Whoosh format: Positions, given each word's positions at once.

A library's bodies make most of its postings (330,000 at 1,000 cases), and Whoosh's
Positions format takes a Token object a word (1.2 million) from the analyzer and
groups them. What this one yields, and so what the index holds, is the same (tests
compare them)."""

from __future__ import annotations

from operator import sub
from pickle import dumps

from whoosh.formats import Positions
from whoosh.system import pack_uint


class GroupedPositions(Positions):
    """Whoosh's Positions format, taking each word's positions from the analyzer at once
    where it can give them (`word_positions`, as WordAnalyzer does) rather than a Token
    at a time."""

    def word_values(self, value, analyzer, **kwargs):
        word_positions = getattr(analyzer, "word_positions", None)
        if word_positions is None or not isinstance(value, str) or kwargs.keys() - {"mode"}:
            return super().word_values(value, analyzer, **kwargs)
        boost, values = self.field_boost, []
        for word, positions in word_positions(value).items():
            # Positions.encode: the count, then the gaps between positions, pickled
            count = len(positions)
            if count == 1:  # half the postings: the pickle kept, as the first gap is it
                pickled = _ONE_POSITION.get(positions[0])
                if pickled is None:
                    pickled = _ONE_POSITION[positions[0]] = dumps(positions, 2)
                # A new object each time: a block of postings is pickled, and pickle
                # writes an object it has seen as a reference, changing the bytes.
                encoded = _ONE + pickled
            else:
                gaps = [positions[0], *map(sub, positions[1:], positions)]
                encoded = pack_uint(count) + dumps(gaps, 2)
            values.append((word, count, float(count) * boost, encoded))
        return values


_ONE = pack_uint(1)
_ONE_POSITION: dict[int, bytes] = {}
