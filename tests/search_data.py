"""The search suites' data (tests/relevance.yml, tests/word_families.yml) and the small
library the word-family tests index, shared by the Whoosh and the browser tests."""

from __future__ import annotations

from pathlib import Path

import yaml
from casebook.search.whoosh_index import SearchDocument

HERE = Path(__file__).parent
RELEVANCE = yaml.safe_load((HERE / "relevance.yml").read_text(encoding="utf-8"))["queries"]
FAMILIES = yaml.safe_load((HERE / "word_families.yml").read_text(encoding="utf-8"))["families"]
# Words that are in no family, so each page is found only through its own family word.
FILLER = "the team met weekly"


def family_documents() -> list[SearchDocument]:
    """One page per family, whose body holds only the family's first form."""
    return [
        SearchDocument(
            key=f"case_studies/family-{number}.md",
            slug=f"family-{number}",
            url=f"case_studies/family-{number}/",
            kind="case_study",
            title=f"Page {number}",
            summary="",
            headings="",
            body=f"{FILLER} {indexed}.",
            facets={},
        )
        for number, (indexed, _) in enumerate(FAMILIES)
    ]


# A library large enough that a word's postings span several of Whoosh's blocks (128
# documents each), where ranking shortcuts and estimated counts stop being exact.
LIBRARY_WORDS = """care home team carer nurse visit night plan budget council trust
staff partner health housing recovery peer support worker community island village
transport meal garden club music walk pharmacy school library clinic""".split()
LIBRARY_KINDS = ["case_study", "case_study", "case_study", "policy", "guide", "page", "term"]
LIBRARY_THEMES = ["lived-experience", "culture-shift", "sharing-resources"]


def library_documents(count: int = 400, seed: int = 13) -> list[SearchDocument]:
    """`count` pages of every kind, of words drawn with Zipf-like frequencies (the first
    words common, the last rare), so queries match many pages with spread scores."""
    import random

    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, len(LIBRARY_WORDS) + 1)]

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(LIBRARY_WORDS, weights, k=rng.randint(low, high)))

    return [
        SearchDocument(
            key=f"pages/page-{number}.md",
            slug=f"page-{number}",
            url=f"pages/page-{number}/",
            kind=rng.choice(LIBRARY_KINDS),
            title=text(1, 3),
            summary=text(0, 8),
            headings=text(0, 4),
            body=text(5, 80),
            facets={"themes": tuple(rng.sample(LIBRARY_THEMES, rng.randint(0, 2)))},
            labels=text(0, 2),
        )
        for number in range(count)
    ]


def index_library(index_dir: Path) -> Path:
    """The synthetic library indexed, then one page changed: an index of two segments, one
    with a deleted document, as after an edit."""
    from casebook.search.whoosh_index import update_index

    documents = library_documents()
    update_index(index_dir, documents, ["themes"])
    changed = documents[7]
    documents[7] = SearchDocument(**{**vars(changed), "body": changed.body + " lighthouse"})
    update_index(index_dir, documents, ["themes"])
    return index_dir
