"""Did you mean: the library's words with their frequencies, and the closest known word
to each unknown word of a query. The browser (assets/search.js) runs the same algorithm on
the same file, so `casebook search` and the site suggest the same correction."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

# Letters only, so the browser can split a query the same way with /\p{L}+/gu.
_WORD = re.compile(r"[^\W\d_]+")
MIN_LENGTH = 3  # shorter words are not corrected and not kept
# The same words, those of MIN_LENGTH or more, found by the pattern itself; and for ASCII
# text (most of the library), lowercased, the letters are a-z. Half the time of the whole
# vocabulary at 1,000 cases (1.08 s -> 0.59 s), which every index update works out.
_KEPT_WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},}}")
_KEPT_ASCII_WORD = re.compile(rf"[a-z]{{{MIN_LENGTH},}}")
VOCABULARY_FILE = "casebook-vocabulary.json"
# A query with fewer results than this is offered a correction (if one of its words is
# unknown); the browser fetches the vocabulary only then.
FEW_RESULTS = 3


def words(text: str) -> list[str]:
    text = text.lower()
    return (_KEPT_ASCII_WORD if text.isascii() else _KEPT_WORD).findall(text)


# Lowercased ASCII text with every character but a-z made a space: split, its words are
# the runs of letters, and the short ones are dropped once counted. A third less time
# than finding the words with _KEPT_ASCII_WORD (0.27 s -> 0.19 s at 1,000 cases, where
# it is part of every full index).
_ONLY_A_TO_Z = str.maketrans({chr(code): " " for code in range(128) if not chr(code).islower()})


def build_vocabulary(texts: Iterable[str]) -> dict[str, int]:
    """word -> how many times it occurs, most frequent first: the words() of every text."""
    counts: Counter[str] = Counter()
    for text in texts:
        text = text.lower()
        if text.isascii():
            counts.update(text.translate(_ONLY_A_TO_Z).split())
        else:
            counts.update(_KEPT_WORD.findall(text))
    kept = ((word, count) for word, count in counts.items() if len(word) >= MIN_LENGTH)
    return dict(sorted(kept, key=lambda item: (-item[1], item[0])))


def updated_vocabulary(
    vocabulary: dict[str, int], removed: Iterable[str], added: dict[str, int]
) -> dict[str, int]:
    """`vocabulary` less the words of the `removed` texts, plus the `added` counts: what
    build_vocabulary gives for the library after a change, reading only what changed.
    (The Whoosh index keeps its vocabulary so; a change to `words` needs its
    SCHEMA_VERSION bumped.)"""
    counts = Counter(vocabulary)
    counts.subtract(build_vocabulary(removed))
    counts.update(added)
    kept = ((word, count) for word, count in counts.items() if count > 0)
    return dict(sorted(kept, key=lambda item: (-item[1], item[0])))


def vocabulary_json(vocabulary: dict[str, int]) -> str:
    """Compact: the words in one space-separated string, their counts in a parallel list
    (half the bytes of a JSON object of word: count)."""
    return json.dumps(
        {"words": " ".join(vocabulary), "counts": list(vocabulary.values())},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def read_vocabulary(path: Path) -> dict[str, int]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return dict(zip(data["words"].split(" "), data["counts"], strict=True))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit (optimal
    string alignment); anything over `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def closest_word(word: str, vocabulary: dict[str, int]) -> str | None:
    """The known word nearest to `word`: fewest edits (one for words of up to five
    letters, two for longer), then the most frequent, then the first alphabetically."""
    limit = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    for known, count in vocabulary.items():
        edits = distance(word, known, limit)
        if edits > limit:
            continue
        candidate = (edits, -count, known)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def suggest(
    query: str, vocabulary: dict[str, int], found: Callable[[str], bool] = lambda word: False
) -> str | None:
    """The query with each unknown word replaced by its closest known word, or None when
    every word is known or none has a close match. `found(word)`: whether the index finds
    the word although the vocabulary lacks it ("pooled", through the stem of "pool")."""
    if not vocabulary:
        return None
    changed = False
    corrected = []
    for word in _WORD.findall(query.lower()):
        if len(word) >= MIN_LENGTH and word not in vocabulary and not found(word):
            replacement = closest_word(word, vocabulary)
            if replacement:
                word, changed = replacement, True
        corrected.append(word)
    return " ".join(corrected) if changed else None
