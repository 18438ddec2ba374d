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
