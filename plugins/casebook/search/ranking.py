"""Ranking a query of plain words in one pass over each word's postings, with Whoosh's own
BM25F scores: what a reader types, without Whoosh's matcher tree and collector."""

from __future__ import annotations

from collections.abc import Collection

from whoosh.query import And, Or, Query, Term
from whoosh.scoring import BM25F, BM25FScorer


class LengthCachedBM25F(BM25F):
    """Whoosh's BM25F, with each segment's field lengths read into a list once per
    searcher. Every posting scored looked its document's field length up through four
    layers of readers, about a third of the scoring time (cProfile, 1,000 cases). One
    instance per searcher: the lists live as long as the readers they were read from."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._lengths: dict[tuple[object, str], list[int]] = {}

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            scorer.dfl = self.lengths(searcher, fieldname).__getitem__
        return scorer

    def lengths(self, searcher, fieldname: str) -> list[int]:
        """What Whoosh's own scorer asks for each document: its length in this field,
        or 1 where the field is empty."""
        key = (searcher.reader(), fieldname)
        if key not in self._lengths:
            self._lengths[key] = [
                searcher.doc_field_length(docnum, fieldname, 1)
                for docnum in range(searcher.doc_count_all())
            ]
        return self._lengths[key]


def word_terms(query: Query, fields: Collection[str]) -> list[list[Term]] | None:
    """The query as words that must all match, each word as its terms (one per field, as
    MultifieldParser reads a word), or None when it is anything else: phrases, NOT,
    wildcards, boosts, a field it does not name, or any-of-the-words. Those are ranked
    by Whoosh's matchers."""
    words = query.subqueries if type(query) is And else [query]
    if query.boost != 1:
        return None
    found = []
    for word in words:
        terms = word.subqueries if _plain_or(word) else [word]
        if any(type(t) is not Term or t.boost != 1 or t.fieldname not in fields for t in terms):
            return None
        found.append(terms)
    return found


def _plain_or(query: Query) -> bool:
    return type(query) is Or and query.boost == 1 and query.scale is None and not query.minmatch


def word_scores(searcher, terms: list[Term]) -> dict[int, float]:
    """Each document any of the terms is in, with the sum of their scores, added in the
    terms' order as Whoosh's Or matcher adds them."""
    scores: dict[int, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        for term in terms:
            text = searcher.schema[term.fieldname].to_bytes(term.text)
            if (term.fieldname, text) not in reader:
                continue
            postings = leaf.postings(term.fieldname, text)  # skips deleted documents
            while postings.is_active():
                docnum = postings.id() + offset
                scores[docnum] = scores.get(docnum, 0.0) + postings.score()
                postings.next()
    return scores


def all_words_matches(
    searcher, words: list[list[Term]], allowed: Collection[int] | None
) -> list[tuple[float, int]]:
    """(score, document number) of every document, of those `allowed` (None: all), that
    has every word; its score the sum of its words' scores."""
    per_word = [word_scores(searcher, terms) for terms in words]
    matches = []
    for docnum in min(per_word, key=len):
        if allowed is not None and docnum not in allowed:
            continue
        if all(docnum in scores for scores in per_word):
            matches.append((sum(scores[docnum] for scores in per_word), docnum))
    return matches
