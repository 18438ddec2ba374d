"""The Whoosh index's fields, updates and failures, on small libraries of search documents
written here (issue 18: each test kills mutants of search/whoosh_index.py that
test_search.py let live; that file keeps the searches of the fixture library)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from casebook.search.whoosh_index import (
    IndexDamaged,
    SearchDocument,
    SearchIndex,
    update_index,
    write_checksums,
)

FACETS = ["themes"]
FILLER = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def words(*used: str, length: int = 10) -> str:
    """`used`, then filler words up to `length`: every field the same length, so only the
    words and the field weights decide the ranking."""
    return " ".join([*used, *FILLER[: length - len(used)]])


def document(slug: str, **fields: str) -> SearchDocument:
    values = {"title": words(), "summary": words(), "headings": words(), "body": words()}
    values.update(fields)
    return SearchDocument(
        key=f"case_studies/{slug}.md",
        slug=slug,
        url=f"case_studies/{slug}/",
        kind="case_study",
        labels=values.pop("labels", words()),
        facets={"themes": ("culture-shift",)},
        **values,
    )


def index_of(directory: Path, documents: list[SearchDocument]) -> SearchIndex:
    update_index(directory, documents, FACETS)
    return SearchIndex(directory)


def slugs(results) -> list[str]:
    return [hit.slug for hit in results.hits]


# Whoosh leaves the table of contents open when it cannot read it (see test_search.py)
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_index_whoosh_cannot_open_behind_good_checksums_is_damaged(tmp_path):
    directory = tmp_path / "index"
    index_of(directory, [document("one")]).close()
    (table,) = directory.glob("*.toc")
    table.write_bytes(bytes(table.stat().st_size))  # zeros, and checksums to match them
    write_checksums(directory)
    with pytest.raises(IndexDamaged) as damaged:
        SearchIndex(directory)
    message = str(damaged.value)
    del damaged  # its context holds Whoosh's error, and that the open file
    gc.collect()  # here, under this test's filters
    assert message.startswith(f"the search index at {directory} is damaged (IndexError: ")
