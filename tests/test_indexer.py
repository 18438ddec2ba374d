"""The background indexer: a forked child stages the index; the parent publishes it."""

from casebook.catalogue import load_catalogue
from casebook.indexer import BackgroundIndexer
from casebook.search_index import SearchIndex, search_documents, update_index

from .conftest import TODAY, VALID_CASE, write


def documents(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    return search_documents(catalogue), list(catalogue.taxonomies)


def test_the_child_stages_and_the_parent_publishes(content, tmp_path):
    index_dir = tmp_path / "index"
    update_index(index_dir, *documents(content))
    write(content, "case_studies/delta.md", VALID_CASE)
    indexer = BackgroundIndexer(index_dir, *documents(content))
    assert indexer.process is not None  # Linux: a real second process
    staged = indexer.wait()
    assert staged is not None and (staged.report.added, staged.report.unchanged) == (1, 6)
    assert SearchIndex(index_dir).search("delta project").hits == []  # not live yet
    staged.publish()
    assert SearchIndex(index_dir).search("delta project").hits[0].slug == "delta"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "index"]


def test_a_failing_child_leaves_the_live_index_alone(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    update_index(index_dir, *documents(content))
    before = {p.name: p.read_bytes() for p in index_dir.iterdir()}
    docs, facets = documents(content)
    monkeypatch.setattr("casebook.indexer.stage_index", lambda *a, **k: 1 / 0)
    indexer = BackgroundIndexer(index_dir, docs, facets)
    assert indexer.wait() is None
    assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "index"]


def test_cancel_removes_the_staging_copy(content, tmp_path):
    index_dir = tmp_path / "index"
    indexer = BackgroundIndexer(index_dir, *documents(content))
    indexer.cancel()
    assert not indexer.staging.exists() and not index_dir.exists()
