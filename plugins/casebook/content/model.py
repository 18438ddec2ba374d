"""The Catalogue: case studies, policy pages and taxonomies, with every cross-reference
(term -> cases, policy -> citing cases, case -> related cases) worked out once.

Over 250 lines because the model's classes, building them from documents, and the
related-case ranking (which reads the Catalogue's private term indexes) belong together.
The ranking's whole-library index of who shares which terms is term_index.py.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import neg
from typing import Any

from .load import Document
from .taxonomy import Taxonomy, Term
from .term_index import TermIndex

# Enough candidates for exact ranking in any library of a few hundred cases; past that,
# related_cases looks at the cases sharing the rarest terms first.
RELATED_CANDIDATES = 300
# A term more than half the library uses (and at least this many cases) says little about
# two cases: one such term shared, and nothing else, does not make a case related.
COMMON_TERM_SHARE = 0.5
COMMON_TERM_MIN_CASES = 3
# Text similarity (cosine of key-term weights, 0..1) from which "similar text" is a reason
# of its own. On the project's content, pairs sharing only a very common theme scored
# 0.015 to 0.07; pairs written about the same practice, 0.17 to 0.47.
SIMILAR_TEXT_MIN = 0.1


def page_url(src_uri: str) -> str:
    """Site-relative URL of a page, as MkDocs writes it with directory URLs."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


def term_src_uri(term: Term) -> str:
    return f"{term.taxonomy}/{term.slug}.md"


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    section: str | None = None
    # The publisher's own site: given when no public copy of the source itself could be
    # confirmed, so a reader still has somewhere to ask for it.
    publisher_url: str | None = None


@dataclass
class CaseStudy:
    slug: str
    src_uri: str
    title: str
    summary: str
    terms: dict[str, tuple[Term, ...]]  # taxonomy name -> terms, in front-matter order
    started: int | None = None
    policies: tuple[str, ...] = ()
    source: Source | None = None  # the first of `sources`: the one a citation names
    published: dt.date | None = None
    body: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def url(self) -> str:
        return page_url(self.src_uri)

    def term_slugs(self, taxonomy: str) -> list[str]:
        return [term.slug for term in self.terms.get(taxonomy, ())]


@dataclass
class PolicyPage:
    slug: str
    src_uri: str
    title: str
    summary: str
    kind: str
    year: int | None = None
    official_url: str | None = None  # the legislation or guidance itself
    sources: tuple[Source, ...] = ()

    @property
    def url(self) -> str:
        return page_url(self.src_uri)


@dataclass
class Catalogue:
    taxonomies: dict[str, Taxonomy]
    case_studies: list[CaseStudy]
    policies: dict[str, PolicyPage]
    pages: dict[str, Document] = field(default_factory=dict)  # other pages, by src_uri
    documents: dict[str, Document] = field(default_factory=dict)  # every file, by src_uri
    _cases_by_term: dict[tuple[str, str], list[CaseStudy]] = field(default_factory=dict)
    _open_terms: dict[str, dict[str, Term]] = field(default_factory=dict)
    _cases_by_uri: dict[str, CaseStudy] = field(default_factory=dict)
    _policies_by_uri: dict[str, PolicyPage] = field(default_factory=dict)
    _cases_by_slug: dict[str, CaseStudy] = field(default_factory=dict)
    _term_index: TermIndex | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.case_studies.sort(key=lambda case: case.title.lower())
        index: dict[tuple[str, str], list[CaseStudy]] = defaultdict(list)
        open_terms: dict[str, dict[str, Term]] = defaultdict(dict)
        for case in self.case_studies:
            for name, terms in case.terms.items():
                for term in terms:
                    index[(name, term.slug)].append(case)
                    if self.taxonomies[name].open:
                        open_terms[name].setdefault(term.slug, term)
        self._cases_by_term = dict(index)
        self._open_terms = dict(open_terms)
        self._cases_by_uri = {case.src_uri: case for case in self.case_studies}
        self._cases_by_slug = {case.slug: case for case in self.case_studies}
        self._policies_by_uri = {policy.src_uri: policy for policy in self.policies.values()}

    def case_study(self, slug: str) -> CaseStudy | None:
        return self._cases_by_slug.get(slug)

    def case_study_at(self, src_uri: str) -> CaseStudy | None:
        return self._cases_by_uri.get(src_uri)

    def policy_at(self, src_uri: str) -> PolicyPage | None:
        return self._policies_by_uri.get(src_uri)

    def cases_for(self, taxonomy: str, slug: str) -> list[CaseStudy]:
        return self._cases_by_term.get((taxonomy, slug), [])

    def terms(self, taxonomy: str) -> list[Term]:
        """Declared terms in declared order, or, for an open taxonomy, those in use A-Z."""
        spec = self.taxonomies[taxonomy]
        if spec.open:
            return sorted(
                self._open_terms.get(taxonomy, {}).values(), key=lambda term: term.label.lower()
            )
        return list(spec.terms.values())

    def terms_with_pages(self, taxonomy: str) -> list[Term]:
        spec = self.taxonomies[taxonomy]
        terms = self.terms(taxonomy)
        if spec.pages == "all" and not spec.open:
            return terms
        return [term for term in terms if self.cases_for(taxonomy, term.slug)]

    def citing(self, policy_slug: str) -> list[CaseStudy]:
        return [case for case in self.case_studies if policy_slug in case.policies]

    def related_cases(
        self, case: CaseStudy, limit: int | None = 5, candidates: int = RELATED_CANDIDATES
    ) -> list[tuple[CaseStudy, int]]:
        """Other case studies by the number of terms they share, most first, then A-Z.

        Candidates come from the case's rarest terms first and stop at `candidates`, so
        a theme shared by a quarter of a large library does not make this quadratic. Up
        to that many other cases sharing a term, the ranking is exact."""
        index = self.term_index()
        me = index.ids[case.slug]
        others = index.candidates(me, candidates)
        counts = index.shared_counts(me, others)
        ranked = sorted(zip(map(neg, counts), others, strict=True))  # most first, then by id: A-Z
        scored = [(self._cases_by_slug[index.slugs[other]], -count) for count, other in ranked]
        return scored[:limit] if limit else scored

    def term_index(self) -> TermIndex:
        """Case studies as ids, their terms as bit sets (term_index.py), made once."""
        if self._term_index is None:
            library = len(self.case_studies)
            self._term_index = TermIndex(
                self.case_studies,
                self._cases_by_term,
                list(self.taxonomies),
                lambda users: (
                    users >= COMMON_TERM_MIN_CASES and users > COMMON_TERM_SHARE * library
                ),
            )
        return self._term_index

    def generated_uris(self) -> set[str]:
        uris = {f"{name}/index.md" for name in self.taxonomies}
        for name in self.taxonomies:
            uris.update(term_src_uri(term) for term in self.terms_with_pages(name))
        return uris


@dataclass(frozen=True)
class RelatedCase:
    """A related case study and why: how many terms it shares, by taxonomy (in the
    catalogue's order), and whether its text is similar. Plain data, so it crosses from
    the background process and the template words the reason."""

    slug: str
    shared: tuple[tuple[str, int], ...] = ()
    similar_text: bool = False


def shared_by_taxonomy(
    catalogue: Catalogue, case: CaseStudy, other: CaseStudy
) -> tuple[tuple[str, int], ...]:
    index = catalogue.term_index()
    return index.shared_by_taxonomy(index.ids[case.slug], index.ids[other.slug])


def blend_related(
    catalogue: Catalogue,
    case: CaseStudy,
    shared_terms: list[tuple[CaseStudy, int]],
    similar_text: list[tuple[str, float]],
    limit: int = 5,
    text_weight: float = 0.5,
) -> list[RelatedCase]:
    """Blend shared terms with text similarity, each scaled to 0..1 by its best score, so
    two cases about the same practice in different places still find each other. A case
    is listed only with a reason: similar text, or shared terms other than one term most
    of the library has."""
    ids = catalogue.term_index().ids
    counts = {ids[other.slug]: count for other, count in shared_terms}
    levels: dict[int, list[int]] = defaultdict(list)
    for other, count in counts.items():
        levels[count].append(other)
    by_count = ((count, sorted(levels[count])) for count in sorted(levels, reverse=True))
    best_shared = max((count for _, count in shared_terms), default=0) or 1
    blend = _Blend(catalogue, case, similar_text, text_weight)
    return blend.ranked(lambda other: counts.get(other, 0), by_count, best_shared, limit)


def related_to(
    catalogue: Catalogue,
    case: CaseStudy,
    similar_text: list[tuple[str, float]],
    limit: int = 5,
    candidates: int = RELATED_CANDIDATES,
) -> list[RelatedCase]:
    """blend_related(catalogue, case, catalogue.related_cases(case, None), similar_text,
    limit), without ranking every candidate: the best are read level by level from the
    term index. What search/related.py asks for every case study of a build."""
    index = catalogue.term_index()
    me = index.ids[case.slug]
    others = index.candidates(me, candidates)
    counts = index.shared_counts(me, others)
    by_count = index.by_shared_count(others, counts)
    best_shared = max(counts, default=0) or 1

    def count_of(other: int) -> int:
        return index.shared_count(me, other) if other in others else 0

    return _Blend(catalogue, case, similar_text).ranked(count_of, by_count, best_shared, limit)


class _Blend:
    """One case's blend, over the term index's ids (in slug order, so a tie between
    scores still goes to the slug first A-Z)."""

    def __init__(
        self,
        catalogue: Catalogue,
        case: CaseStudy,
        similar_text: list[tuple[str, float]],
        text_weight: float = 0.5,
    ):
        self.index = catalogue.term_index()
        self.me = self.index.ids[case.slug]
        self.text_weight = text_weight
        self.best_text = max((score for _, score in similar_text), default=0) or 1
        ids = self.index.ids
        # (a case no longer in the library is never listed, but its score still scales)
        self.texts = [(ids[slug], score) for slug, score in similar_text if slug in ids]
        self.similar = {other for other, score in self.texts if score >= SIMILAR_TEXT_MIN}

    def ranked(
        self,
        count_of: Callable[[int], int],
        by_count: Iterable[tuple[int, list[int]]],
        best_shared: int,
        limit: int,
    ) -> list[RelatedCase]:
        """Cases in the order of their blended score (highest first, then A-Z), read
        only as far as `limit` cases with a reason. `by_count`: the cases sharing terms
        by count (count_of(id), 0 for any other case), most first, A-Z within one count."""
        weight, index, me = self.text_weight, self.index, self.me
        with_text: dict[int, float] = {}
        for other, score in self.texts:
            shared = (1 - weight) * count_of(other) / best_shared  # 0.0 for no shared term
            with_text[other] = with_text.get(other, shared) + weight * score / self.best_text
        related: list[RelatedCase] = []
        shares = ((count, (1 - weight) * count / best_shared, ids) for count, ids in by_count)
        for other in _by_score(shares, with_text):
            count = count_of(other)
            if other not in self.similar and (
                count == 0 or (count == 1 and index.only_a_common_term(me, other))
            ):
                continue
            shared = index.shared_by_taxonomy(me, other)
            related.append(RelatedCase(index.slugs[other], shared, other in self.similar))
            if len(related) == limit:
                break
        return related


def _by_score(
    shares: Iterable[tuple[int, float, list[int]]], with_text: dict[int, float]
) -> Iterator[int]:
    """Ids by blended score, highest first, then by id: the cases sharing terms (count,
    its score, their ids), whose score falls with the count, merged with those with a
    text score, whose blended score is in `with_text`."""
    texts = sorted(with_text.items(), key=lambda item: (-item[1], item[0]))
    next_text = 0
    for _, score, ids in shares:
        for other in ids:
            if other in with_text:
                continue
            while next_text < len(texts) and (-texts[next_text][1], texts[next_text][0]) < (
                -score,
                other,
            ):
                yield texts[next_text][0]
                next_text += 1
            yield other
    for other, _ in texts[next_text:]:
        yield other


def relative_link(from_src_uri: str, to_src_uri: str) -> str:
    """A Markdown link target from one source file to another (MkDocs resolves these)."""
    return posixpath.relpath(to_src_uri, posixpath.dirname(from_src_uri) or ".")


def build_catalogue(documents: list[Document], taxonomies: dict[str, Taxonomy]) -> Catalogue:
    """Build the model from whatever is valid: a field with a problem is left out of the
    model (and reported by validation), but the page itself is never dropped."""
    case_studies: list[CaseStudy] = []
    policies: dict[str, PolicyPage] = {}
    pages: dict[str, Document] = {}
    for document in documents:
        meta = document.meta
        sources = _sources(meta)
        if document.kind == "case_study":
            case_studies.append(
                CaseStudy(
                    slug=document.slug,
                    src_uri=document.src_uri,
                    title=_text(meta.get("title")) or document.slug.replace("-", " ").capitalize(),
                    summary=_text(meta.get("summary")),
                    terms=_terms(meta, taxonomies),
                    started=_year(meta.get("started")),
                    policies=tuple(p for p in _list(meta.get("policies")) if isinstance(p, str)),
                    source=sources[0] if sources else None,
                    published=meta.get("published")
                    if isinstance(meta.get("published"), dt.date)
                    else None,
                    body=document.body,
                    sources=sources,
                )
            )
        elif document.kind == "policy":
            policies.setdefault(
                document.slug,
                PolicyPage(
                    slug=document.slug,
                    src_uri=document.src_uri,
                    title=_text(meta.get("title")) or document.slug.replace("-", " ").capitalize(),
                    summary=_text(meta.get("summary")),
                    kind=_text(meta.get("kind")),
                    year=_year(meta.get("year")),
                    official_url=_web_address(meta.get("official_url")),
                    sources=sources,
                ),
            )
        else:
            pages[document.src_uri] = document
    # Two files with one slug: keep both pages, but only the first in cross-references.
    unique: dict[str, CaseStudy] = {}
    for case in case_studies:
        unique.setdefault(case.slug, case)
    everything = {document.src_uri: document for document in documents}
    return Catalogue(taxonomies, list(unique.values()), policies, pages, everything)


def _terms(meta: dict[str, Any], taxonomies: dict[str, Taxonomy]) -> dict[str, tuple[Term, ...]]:
    result: dict[str, tuple[Term, ...]] = {}
    for name, taxonomy in taxonomies.items():
        value = meta.get(taxonomy.field)
        values = _list(value) if taxonomy.multiple else ([value] if isinstance(value, str) else [])
        terms: dict[str, Term] = {}
        for item in values:
            if isinstance(item, str) and (term := taxonomy.term_for(item)):
                terms.setdefault(term.slug, term)
        result[name] = tuple(terms.values())
    return result


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sources(meta: dict[str, Any]) -> tuple[Source, ...]:
    """`sources`, or else the older single `source`, so an old page keeps its citation."""
    values = meta.get("sources")
    if not isinstance(values, list):
        values = [meta.get("source")]
    return tuple(source for value in values if (source := _source(value)))


def _source(value: Any) -> Source | None:
    if not isinstance(value, dict) or not _text(value.get("title")):
        return None
    return Source(
        title=_text(value.get("title")),
        publisher=_text(value.get("publisher")),
        year=_year(value.get("year")),
        url=_text(value.get("url")) or None,
        publisher_url=_text(value.get("publisher_url")) or None,
        section=_text(value.get("section")) or None,
    )


def _web_address(value: Any) -> str | None:
    """Only an http(s) address: validation reports any other, and the site must not link it."""
    text = _text(value)
    return text if text.lower().startswith(("https://", "http://")) else None
