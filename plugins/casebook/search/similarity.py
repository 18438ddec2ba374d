"""Text similarity for related case studies, for every document in one pass.

The idea is Whoosh's more-like-this: take each document's highest-weighted terms (term
frequency times inverse document frequency, stemmed like the search index) and score
other documents by the terms they share. Asking Whoosh for it page by page cost 46 ms a
document (46 s for a 1,000-case build, measured); done in bulk over capped postings it
is a fraction of a second and grows linearly.

The loops run over integer ids and parallel lists, and a document's words are counted
once per distinct word (term_counts may come from a cache, term_count_cache.py): at
1,000 case studies this was 1.25 s of CPU in every build. The results are the same to
the last bit: each pair's score is summed over the same terms in the same order."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable
from itertools import compress, repeat
from operator import mul, truediv

from .whoosh_index import indexed_term

_WORD = re.compile(r"[a-z]{3,}")
KEY_TERMS = 15  # terms that stand for a document, as Whoosh's numterms
POSTING_CAP = 64  # documents kept per term: the ones for which it matters most


def term_counts(text: str) -> dict[str, int]:
    """Each stem in the text and how often it occurs (stop words left out)."""
    counts = Counter(map(indexed_term, _WORD.findall(text.lower())))
    del counts[""]  # stop words
    return dict(counts)


def similar_documents(
    texts: dict[str, str],
    limit: int = 10,
    count: Callable[[str], dict[str, int]] = term_counts,
) -> dict[str, list[tuple[str, float]]]:
    """For each key, up to `limit` other keys with a similarity score in (0, 1].
    `count` gives a text's term counts (term_counts, or a cache of them)."""
    # Ids in key order, so comparing (score, id) compares (score, key) as ties need.
    keys = sorted(texts)
    counts = [count(texts[key]) for key in keys]
    vectors = _key_terms(counts)
    postings = _capped_postings(vectors)
    similar: dict[str, list[tuple[str, float]]] = {}
    for me, (terms, weights) in enumerate(vectors):
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in zip(terms, weights, strict=True):
            ids, other_weights = postings[term]
            for other, other_weight in zip(ids, other_weights, strict=True):
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(me, None)
        best = _largest(scores, limit)
        similar[keys[me]] = [(keys[other], round(score, 6)) for score, other in best]
    return {key: similar[key] for key in texts}


Vector = tuple[list[int], list[float]]  # term ids and weights, highest weight first


def _key_terms(counts: list[dict[str, int]]) -> list[Vector]:
    """Each document's KEY_TERMS highest-weighted terms (ties: the greater term first),
    as unit vectors. A term no other document has cannot relate it to one: left out."""
    frequency: Counter[str] = Counter()
    for terms in counts:
        frequency.update(terms.keys())
    total = len(counts)
    idf = {
        term: math.log((total + 1) / (documents + 0.5))
        for term, documents in frequency.items()
        if documents > 1
    }
    term_ids: dict[str, int] = {}
    vectors: list[Vector] = []
    for terms in counts:
        length = sum(terms.values()) or 1
        kept = list(compress(terms, map(idf.__contains__, terms)))
        weights = list(
            map(mul, map(truediv, map(terms.__getitem__, kept), repeat(length)), map(idf.get, kept))
        )
        if len(weights) > KEY_TERMS:  # all the weights tied with the last kept, then the top
            least = heapq.nlargest(KEY_TERMS, weights)[-1]
            pairs = list(compress(zip(weights, kept, strict=True), map(least.__le__, weights)))
        else:
            pairs = list(zip(weights, kept, strict=True))
        pairs.sort(reverse=True)
        top = pairs[:KEY_TERMS]
        norm = math.sqrt(sum(weight * weight for weight, _ in top)) or 1.0
        vectors.append(
            (
                [term_ids.setdefault(term, len(term_ids)) for _, term in top],
                [weight / norm for weight, _ in top],
            )
        )
    return vectors


def _capped_postings(vectors: list[Vector]) -> list[Vector]:
    """For each term id, the documents that have it among their key terms (ids and
    weights): past POSTING_CAP, the POSTING_CAP with the highest (weight, id)."""
    entries: dict[int, list[tuple[float, int]]] = {}
    for me, (terms, weights) in enumerate(vectors):
        for term, weight in zip(terms, weights, strict=True):
            entries.setdefault(term, []).append((weight, me))
    postings: list[Vector] = [([], [])] * len(entries)
    for term, listed in entries.items():
        if len(listed) > POSTING_CAP:
            listed.sort(reverse=True)
            del listed[POSTING_CAP:]
        postings[term] = ([me for _, me in listed], [weight for weight, _ in listed])
    return postings


def _largest(scores: dict[int, float], limit: int) -> list[tuple[float, int]]:
    """The `limit` highest (score, id) pairs, highest first."""
    if len(scores) > limit:
        least = heapq.nlargest(limit, scores.values())[-1]  # (faster than a sort here)
        pairs = [(score, other) for other, score in scores.items() if score >= least]
    else:
        pairs = [(score, other) for other, score in scores.items()]
    pairs.sort(reverse=True)
    return pairs[:limit]
