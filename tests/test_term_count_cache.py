"""The term count cache: the related lists are the same with it as without it, through
edits, renames, deletions, a taxonomy change and damaged or foreign cache files, and a
rebuild counts only the texts it has not counted before."""

from __future__ import annotations

import logging
import os
import shutil

import pytest
from casebook.background import BackgroundBuild
from casebook.content.catalogue import load_catalogue
from casebook.search import similarity, term_count_cache
from casebook.search.related import related_slugs
from casebook.search.term_count_cache import FILE, TermCountCache, counting_version
from casebook.search.whoosh_index import search_documents

from . import related_reference as reference
from .conftest import (
    FIXTURE_CONTENT,
    TODAY,
    VALID_CASE,
    cache_records,
    cache_text,
    write,
    write_cache,
)


@pytest.fixture
def library(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    return content


def lists_with_cache(content, path):
    """(lists with the cache, lists by the old code, (texts reused, texts counted))."""
    catalogue, _ = load_catalogue(content, today=TODAY)
    documents = search_documents(catalogue)
    kept = TermCountCache(path)
    found = related_slugs(catalogue, documents, 3, kept)
    kept.save()
    return (
        found,
        reference.related_slugs(catalogue, documents, 3),
        (kept.records.hits, kept.records.misses),
    )


def test_a_rebuild_counts_only_what_changed_and_lists_stay_the_same(library, tmp_path):
    path = tmp_path / "cache" / FILE
    cases = len(list((library / "case_studies").glob("*.md")))
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and counted == (0, cases)
    written = path.read_bytes()
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and counted == (cases, 0)
    assert path.read_bytes() == written  # nothing new: not written again
    # an edit: one text counted
    alpha = library / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text() + "\nPeer recovery housing support.\n")
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and counted == (cases - 1, 1)
    # a rename: the same text under another slug is not counted again
    alpha.rename(library / "case_studies/alpha-renamed.md")
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and "alpha-renamed" in found and counted == (cases, 0)
    # a new case and a deletion
    write(library, "case_studies/delta.md", VALID_CASE)
    (library / "case_studies/gamma-pilot.md").unlink()
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and "delta" in found and "gamma-pilot" not in found
    assert counted == (cases - 1, 1)
    assert len(cache_records(path)[1]) == cases  # gone
    # a taxonomy change: the texts are the same, the lists follow the new terms
    taxonomy = library / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text().replace("Collaborative working", "Working together"))
    found, expected, counted = lists_with_cache(library, path)
    assert found == expected and counted == (cases, 0)


def rewrite(path, change):
    """The cache file with its records changed and a checksum that matches them."""
    header, records = cache_records(path)
    stored = {**header, "pages": records}
    change(stored)
    header = {name: value for name, value in stored.items() if name != "pages"}
    write_cache(path, cache_text(header, stored["pages"]))


def wrong_counts(value):
    def change(stored):
        for record in stored["pages"].values():
            record["counts"] = dict.fromkeys(record["counts"], value) or {"care": value}

    return change


def every_record(value):
    def change(stored):
        stored["pages"] = dict.fromkeys(stored["pages"], value)

    return change


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[:-40]),  # truncated
        lambda path: path.write_bytes(b"\0" * 4096),  # zeroed
        lambda path: path.write_text("not a cache"),
        lambda path: rewrite(path, wrong_counts(True)),
        lambda path: rewrite(path, wrong_counts(0)),
        lambda path: rewrite(path, wrong_counts(-2)),
        lambda path: rewrite(path, wrong_counts(1.5)),
        lambda path: rewrite(path, wrong_counts("3")),
        lambda path: rewrite(path, wrong_counts(None)),
        lambda path: rewrite(path, lambda s: s["pages"].update(dict.fromkeys(s["pages"], []))),
        lambda path: rewrite(path, lambda s: s.update(context="another version")),
        lambda path: rewrite(
            path, lambda s: s["pages"].update(dict.fromkeys(s["pages"], {"x": 1}))
        ),
    ],
)
def test_a_damaged_or_foreign_cache_gives_the_same_lists(library, tmp_path, damage):
    path = tmp_path / "cache" / FILE
    lists_with_cache(library, path)
    damage(path)
    found, expected, (reused, counted) = lists_with_cache(library, path)
    assert found == expected and reused == 0 and counted > 0
    found, expected, (reused, counted) = lists_with_cache(library, path)  # repaired
    assert found == expected and counted == 0


def test_a_cache_in_a_place_that_cannot_be_written_gives_the_same_lists(library, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    found, expected, _ = lists_with_cache(library, blocked / FILE)
    assert found == expected


def test_the_key_changes_with_the_counting_code(monkeypatch):
    before = counting_version()
    counting_version.cache_clear()
    monkeypatch.setattr(similarity, "__file__", __file__)  # other code, same texts
    try:
        assert counting_version() != before
    finally:
        counting_version.cache_clear()


def test_the_second_process_keeps_the_counts_and_the_build_process_never_writes(
    library, tmp_path, monkeypatch
):
    path, savers = tmp_path / "cache" / FILE, tmp_path / "savers"
    real_save = TermCountCache.save

    def noting_who_saves(self):
        with savers.open("a") as file:
            file.write(f"{os.getpid()}\n")
        real_save(self)

    monkeypatch.setattr(TermCountCache, "save", noting_who_saves)
    catalogue, _ = load_catalogue(library, today=TODAY)
    cases = len(catalogue.case_studies)
    background = BackgroundBuild(catalogue, 3, None, term_counts=path)
    assert background.process is not None
    assert background.related() == related_slugs(catalogue, search_documents(catalogue), 3)
    background.wait()
    assert len(cache_records(path)[1]) == cases
    written = path.stat().st_mtime_ns
    again = BackgroundBuild(catalogue, 3, None, term_counts=path)
    assert again.related() == background.related()
    again.wait()
    assert path.stat().st_mtime_ns == written  # every text found: nothing to write
    assert sorted(p.name for p in path.parent.iterdir()) == [FILE]
    children = {str(background.process.pid), str(again.process.pid)}
    assert set(savers.read_text().split()) == children  # never this process


def test_builds_keep_the_counts_and_publish_the_same_related_lists(content, tmp_path):
    """Through the real build: the first writes the cache, a rebuild reads it (and writes
    nothing), and a rebuild over a damaged cache publishes the same related lists."""
    from .test_render_cache import build, html

    kept = content.parent / "build" / "cache" / FILE
    first, _ = build(content, tmp_path, "first")
    assert len(cache_records(kept)[1]) == len(list((content / "case_studies").glob("*.md")))
    written = kept.read_bytes()
    second, _ = build(content, tmp_path, "second")
    assert kept.read_bytes() == written
    kept.write_bytes(written[:-30])
    damaged, _ = build(content, tmp_path, "damaged")
    assert kept.read_bytes() == written  # repaired
    page = "case_studies/alpha-network"
    related = [html(site, page).split('class="cb-related', 1) for site in (first, damaged)]
    assert len(related[0]) == 2 and related[0][1] == related[1][1]  # a list, the same
    assert html(second, page) == html(damaged, page)


def test_counts_kept_by_other_counting_code_are_counted_again(tmp_path, monkeypatch):
    path = tmp_path / FILE
    kept = TermCountCache(path)
    kept.counts("Pooled budgets and shared budgets")
    kept.save()
    same = TermCountCache(path)
    assert same.counts("Pooled budgets and shared budgets") == {"pool": 1, "budget": 2, "share": 1}
    assert (same.records.hits, same.records.misses) == (1, 0)
    monkeypatch.setattr(term_count_cache, "counting_version", lambda: "other counting code")
    other = TermCountCache(path)
    other.counts("Pooled budgets and shared budgets")
    assert (other.records.hits, other.records.misses) == (0, 1)


def test_a_damaged_cache_is_named_in_its_warning(tmp_path, caplog):
    path = tmp_path / FILE
    kept = TermCountCache(path)
    kept.counts("Pooled budgets")
    kept.save()
    path.write_bytes(path.read_bytes()[:-5])
    with caplog.at_level(logging.WARNING, logger="casebook"):
        assert TermCountCache(path).counts("Pooled budgets") == {"pool": 1, "budget": 1}
    assert f"the term count cache {path} is damaged" in caplog.text
    assert "; every document's words are counted" in caplog.text
