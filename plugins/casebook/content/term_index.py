"""Which case studies share which terms, indexed once per library for the related lists.

Each case study is an integer id, ids in slug order (so comparing ids compares slugs, as
the ranking's ties need); its terms are a bit set; each term has the ids of the cases
that use it, in the catalogue's order. Ranking a case's related cases is then a few
passes over short lists, where a sort of its candidates by a key of objects per case
and set lookups per pair were 0.9 s of CPU at 1,000 case studies (measured).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import compress


class TermIndex:
    def __init__(
        self,
        case_studies: list,
        cases_by_term: dict[tuple[str, str], list],
        taxonomy_names: list[str],
        common: Callable[[int], bool],
    ):
        """`cases_by_term`: (taxonomy, term slug) -> the cases using it, in catalogue
        order; `common`: whether a term used by that many cases is common."""
        self.slugs = sorted(case.slug for case in case_studies)
        self.ids = {slug: number for number, slug in enumerate(self.slugs)}
        keys = list(cases_by_term)
        self.postings = [[self.ids[case.slug] for case in cases_by_term[key]] for key in keys]
        self.masks = [0] * len(self.slugs)
        # each case's terms, rarest first (fewest cases, then by taxonomy and slug)
        self.rarest_first: list[list[int]] = [[] for _ in self.slugs]
        for term in sorted(
            range(len(keys)), key=lambda term: (len(self.postings[term]), keys[term])
        ):
            for case in self.postings[term]:
                self.masks[case] |= 1 << term
                self.rarest_first[case].append(term)
        self.common = sum(
            1 << term for term, cases in enumerate(self.postings) if common(len(cases))
        )
        self.taxonomies = [
            (name, sum(1 << term for term, key in enumerate(keys) if key[0] == name))
            for name in taxonomy_names
        ]

    def candidates(self, case: int, most: int) -> dict[int, None]:
        """Other cases sharing a term with `case`, from its rarest terms first, until
        `most`: all of a term's cases in catalogue order, or the first that fit. (A dict
        as an ordered set: the caller asks whether a case is one.)"""
        pool: dict[int, None] = {}
        for term in self.rarest_first[case]:
            room = most - len(pool)
            if room <= 0:
                break
            posting = self.postings[term]
            pool.update(dict.fromkeys(posting if len(posting) <= room else posting[:room]))
            pool.pop(case, None)  # in the slice, it took room as the old loop's skip did
        return pool

    def shared_count(self, case: int, other: int) -> int:
        return (self.masks[case] & self.masks[other]).bit_count()

    def shared_counts(self, case: int, others: Iterable[int]) -> list[int]:
        """How many terms `case` shares with each of `others`."""
        return list(
            map(int.bit_count, map(self.masks[case].__and__, map(self.masks.__getitem__, others)))
        )

    def by_shared_count(
        self, others: Iterable[int], counts: list[int]
    ) -> Iterator[tuple[int, list[int]]]:
        """(count, the cases sharing that many terms, in id order), most terms first:
        worked out level by level, as the ranking reads them."""
        for count in range(max(counts, default=0), -1, -1):
            yield count, sorted(compress(others, map(count.__eq__, counts)))

    def shared_by_taxonomy(self, case: int, other: int) -> tuple[tuple[str, int], ...]:
        """(taxonomy, terms the two share in it) for each taxonomy they share terms in."""
        shared = self.masks[case] & self.masks[other]
        found = ((name, (shared & mask).bit_count()) for name, mask in self.taxonomies)
        return tuple((name, count) for name, count in found if count)

    def only_a_common_term(self, case: int, other: int) -> bool:
        """Whether the one term the two share is common (asked only where they share one)."""
        return bool(self.masks[case] & self.masks[other] & self.common)
