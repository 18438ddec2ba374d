"""The Whoosh index's fields, updates and failures, on small libraries of search documents
written here (issue 18: each test kills mutants of search/whoosh_index.py that
test_search.py let live; that file keeps the searches of the fixture library)."""

from __future__ import annotations

import dataclasses
import gc
import shutil
from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.search.whoosh_index import (
    IndexDamaged,
    IndexMissing,
    SearchDocument,
    SearchIndex,
    search_documents,
    staging_path,
    update_index,
    write_checksums,
)

from .conftest import TODAY, write

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


FIELDS = ("title", "summary", "headings", "labels")


def test_every_text_field_is_stemmed(tmp_path):
    # "recovery" written in one field only of each page; the reader asks for "recovering"
    fields = (*FIELDS, "body")
    documents = [document(field, **{field: words("recovery")}) for field in fields]
    index = index_of(tmp_path / "index", documents)
    assert sorted(slugs(index.search("recovering"))) == sorted(fields)
    index.close()


@pytest.mark.parametrize("field", FIELDS)
def test_a_weighted_field_outranks_more_of_the_same_word_in_the_body(tmp_path, field):
    # Twice in the weighted field against three times in a body of the same length: the
    # field's weight (2 or 4) puts it first, where the same weight as the body would not.
    documents = [
        document("in-body", body=words("recovery", "recovery", "recovery")),
        document("in-field", **{field: words("recovery", "recovery")}),
    ]
    index = index_of(tmp_path / "index", documents)
    assert slugs(index.search("recovery")) == ["in-field", "in-body"]
    index.close()


def test_a_changed_page_replaces_its_old_version(tmp_path):
    directory = tmp_path / "index"
    index_of(directory, [document("one", body=words("harbour")), document("two")]).close()
    changed = document("one", body=words("harbour", "lantern"))
    update_index(directory, [changed, document("two")], FACETS)
    index = SearchIndex(directory)
    results = index.search("harbour")
    assert (slugs(results), results.total) == (["one"], 1)
    assert slugs(index.search("lantern")) == ["one"]
    index.close()


def test_each_kind_of_update_is_committed_and_counted(tmp_path):
    directory = tmp_path / "index"
    pages = [document(name, body=words(name)) for name in ("kestrel", "merlin", "osprey")]
    index_of(directory, pages).close()
    # two pages changed, nothing added or removed
    changed = [document(name, body=words(name, "lantern")) for name in ("kestrel", "merlin")]
    report = update_index(directory, [*changed, pages[2]], FACETS)
    assert (report.added, report.changed, report.removed, report.unchanged) == (0, 2, 0, 1)
    index = SearchIndex(directory)
    assert sorted(slugs(index.search("lantern"))) == ["kestrel", "merlin"]
    # one page removed, nothing else
    report = update_index(directory, changed, FACETS)
    assert (report.added, report.changed, report.removed, report.rebuilt) == (0, 0, 1, False)
    assert slugs(index.search("osprey")) == []
    index.close()


def test_the_index_may_go_where_no_folder_exists_yet(tmp_path):
    directory = tmp_path / "build" / "nested" / "index"
    index = index_of(directory, [document("one", body=words("harbour"))])
    assert slugs(index.search("harbour")) == ["one"]
    index.close()


def test_a_staging_copy_left_by_a_killed_build_is_replaced(tmp_path):
    directory = tmp_path / "index"
    index_of(directory, [document("one")]).close()
    leftover = staging_path(directory)  # a build with this process id died mid-update
    leftover.mkdir()
    (leftover / "half-written.seg").write_bytes(b"\0" * 10)
    report = update_index(
        directory, [document("one"), document("two", body=words("sedge"))], FACETS
    )
    assert (report.added, report.unchanged) == (1, 1)
    assert not leftover.exists()
    index = SearchIndex(directory)
    assert slugs(index.search("sedge")) == ["two"]
    index.close()


def test_a_missing_index_is_named_by_the_folder_asked_for(tmp_path):
    nowhere = tmp_path / "nowhere"
    with pytest.raises(IndexMissing) as missing:
        SearchIndex(nowhere)
    assert str(missing.value) == str(nowhere)
    directory = tmp_path / "index"
    index = index_of(directory, [document("one")])
    shutil.rmtree(directory.resolve())  # the generation the live link names, and the link
    directory.unlink()
    with pytest.raises(IndexMissing) as missing:
        index.search("alpha")
    assert str(missing.value) == str(directory)
    index.close()


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


def page_catalogue(content: Path):
    catalogue, _ = load_catalogue(content, today=TODAY)
    return {document.key: document for document in search_documents(catalogue)}


def test_a_page_without_a_text_title_is_named_from_its_file_name(content):
    write(content, "guides/getting-started.md", "Steps.\n")
    write(content, "guides/year-in-review.md", "---\ntitle: 2024\n---\n\nSteps.\n")
    documents = page_catalogue(content)
    assert documents["guides/getting-started.md"].title == "Getting started"
    assert documents["guides/year-in-review.md"].title == "Year in review"


def test_a_term_page_holds_each_of_its_questions_and_an_authors_page_hides_only_its_own(
    content,
):
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8").replace(
            'questions: ["How do we put citizens first?"]',
            'questions: ["How do we put citizens first?", "Who decides?"]',
        ),
        encoding="utf-8",
    )
    # the first theme has a page of its own: the others still get their term pages
    write(content, "themes/collaborative-working.md", "---\ntitle: Working together\n---\n\nA.\n")
    documents = page_catalogue(content)
    agency = documents["principles/citizen-agency.md"]
    assert agency.body == "How do we put citizens first? Who decides?"
    assert documents["themes/collaborative-working.md"].title == "Working together"
    assert {"themes/lived-experience.md", "themes/culture-shift.md"} <= documents.keys()


def test_unbalanced_brackets_are_searched_as_plain_words_and_say_so(tmp_path):
    index = index_of(tmp_path / "index", [document("one", body=words("recovery"))])
    results = index.search("((recovery)")
    assert (slugs(results), results.note) == (["one"], "searched for the words: recovery")
    index.close()


def test_a_quoted_phrase_is_searched_as_a_phrase(tmp_path):
    documents = [
        document("phrase", body=words("night", "shelter")),
        document("apart", body=words("shelter", "every", "night")),
    ]
    index = index_of(tmp_path / "index", documents)
    results = index.search('"night shelter"')
    assert (slugs(results), results.note) == (["phrase"], None)
    index.close()


def test_an_open_index_ranks_the_new_case_studies_first_after_a_rebuild(tmp_path):
    """Which pages are case studies is kept per searcher: an open index, reopened after
    an update, must not group pages by the old index's document numbers."""
    term = dataclasses.replace(
        document("term-page", body=words("lighthouse", "lighthouse", "lighthouse")),
        key="themes/a.md",
        slug="themes-a",
        url="themes/a/",
        kind="term",
    )
    index = index_of(tmp_path / "index", [term])
    assert slugs(index.search("lighthouse")) == ["themes-a"]
    # a case study with the word once, indexed after the term page that has it three times
    update_index(tmp_path / "index", [term, document("beacon", body=words("lighthouse"))], FACETS)
    assert slugs(index.search("lighthouse")) == ["beacon", "themes-a"]
