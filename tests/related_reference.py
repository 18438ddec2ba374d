"""The related lists as worked out before issue 13 (commit 58ae318), kept as the reference
the faster code must equal: the same slugs, order, reasons and scores. Only the
Catalogue's public methods are used, so the reference does not move with its insides."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict

from casebook.content.model import RelatedCase
from casebook.search.whoosh_index import cached_stem
from whoosh.analysis import STOP_WORDS

_WORD = re.compile(r"[a-z]{3,}")
KEY_TERMS, POSTING_CAP = 15, 64
RELATED_CANDIDATES, COMMON_TERM_SHARE, COMMON_TERM_MIN_CASES = 300, 0.5, 3
SIMILAR_TEXT_MIN = 0.1


def term_counts(text):
    words = _WORD.findall(text.lower())
    return Counter(cached_stem(word) for word in words if word not in STOP_WORDS)


def similar_documents(texts, limit=10):
    counts = {key: term_counts(text) for key, text in texts.items()}
    frequency = Counter()
    for terms in counts.values():
        frequency.update(terms.keys())
    total_documents = len(counts)
    vectors = {}
    for key, terms in counts.items():
        length = sum(terms.values()) or 1
        weights = [
            (count / length * math.log((total_documents + 1) / (frequency[term] + 0.5)), term)
            for term, count in terms.items()
            if frequency[term] > 1
        ]
        top = heapq.nlargest(KEY_TERMS, weights)
        norm = math.sqrt(sum(weight * weight for weight, _ in top)) or 1.0
        vectors[key] = {term: weight / norm for weight, term in top}
    postings = defaultdict(list)
    for key, vector in vectors.items():
        for term, weight in vector.items():
            postings[term].append((weight, key))
    for term, entries in postings.items():
        if len(entries) > POSTING_CAP:
            postings[term] = heapq.nlargest(POSTING_CAP, entries)
    similar = {}
    for key, vector in vectors.items():
        scores = defaultdict(float)
        for term, weight in vector.items():
            for other_weight, other in postings[term]:
                if other != key:
                    scores[other] += weight * other_weight
        best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], item[0]))
        similar[key] = [(other, round(score, 6)) for other, score in best]
    return similar


def _keys(case):
    return {(name, term.slug) for name, terms in case.terms.items() for term in terms}


def related_cases(catalogue, case, limit=5, candidates=RELATED_CANDIDATES):
    own = _keys(case)
    pool = {}
    for key in sorted(own, key=lambda key: (len(catalogue.cases_for(*key)), key)):
        posting = catalogue.cases_for(*key)
        room = candidates - len(pool)
        if room <= 0:
            break
        for other in posting if len(posting) <= room else posting[:room]:
            if other.slug != case.slug:
                pool.setdefault(other.slug, other)
    scored = [(other, len(own & _keys(other))) for other in pool.values()]
    scored.sort(key=lambda item: (-item[1], item[0].slug))
    return scored[:limit] if limit else scored


def shared_by_taxonomy(catalogue, case, other):
    shared = []
    for name in catalogue.taxonomies:
        mine = {term.slug for term in case.terms.get(name, ())}
        count = sum(1 for term in other.terms.get(name, ()) if term.slug in mine)
        if count:
            shared.append((name, count))
    return tuple(shared)


def _only_a_common_term(catalogue, case, other):
    for name, terms in case.terms.items():
        theirs = {term.slug for term in other.terms.get(name, ())}
        for term in terms:
            if term.slug in theirs:
                users = len(catalogue.cases_for(name, term.slug))
                library = len(catalogue.case_studies)
                return users >= COMMON_TERM_MIN_CASES and users > COMMON_TERM_SHARE * library
    return False


def blend_related(catalogue, case, shared_terms, similar_text, limit=5, text_weight=0.5):
    best_shared = max((count for _, count in shared_terms), default=0) or 1
    best_text = max((score for _, score in similar_text), default=0) or 1
    scores = {}
    counts = {other.slug: count for other, count in shared_terms}
    for other, count in shared_terms:
        scores[other.slug] = (1 - text_weight) * count / best_shared
    similar = {slug for slug, score in similar_text if score >= SIMILAR_TEXT_MIN}
    for slug, score in similar_text:
        if catalogue.case_study(slug) is not None:
            scores[slug] = scores.get(slug, 0.0) + text_weight * score / best_text
    related = []
    for slug, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        other = catalogue.case_study(slug)
        count = counts.get(slug, 0)
        if slug not in similar and (
            count == 0 or (count == 1 and _only_a_common_term(catalogue, case, other))
        ):
            continue
        related.append(
            RelatedCase(slug, shared_by_taxonomy(catalogue, case, other), slug in similar)
        )
        if len(related) == limit:
            break
    return related


def related_slugs(catalogue, documents, limit=5):
    texts = {d.slug: d.body for d in documents if d.kind == "case_study"}
    similar = similar_documents(texts, limit=limit * 2)
    return {
        case.slug: blend_related(
            catalogue,
            case,
            related_cases(catalogue, case, limit=None),
            similar.get(case.slug, []),
            limit,
        )
        for case in catalogue.case_studies
    }
