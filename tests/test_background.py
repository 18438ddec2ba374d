"""The background work: a forked child works out related case studies and stages the
search index; the parent takes the related lists and publishes the index."""

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from casebook.background import BackgroundBuild
from casebook.content.catalogue import load_catalogue
from casebook.content.model import RelatedCase
from casebook.search.related import related_slugs
from casebook.search.static_index import write_bundle
from casebook.search.whoosh_index import SearchIndex, search_documents, update_index

from .conftest import TODAY, VALID_CASE, entries, write


def catalogue_of(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    return catalogue


def index_from_scratch(content, index_dir):
    catalogue = catalogue_of(content)
    update_index(index_dir, search_documents(catalogue), list(catalogue.taxonomies))


def test_the_child_stages_and_the_parent_publishes(content, tmp_path):
    index_dir = tmp_path / "index"
    index_from_scratch(content, index_dir)
    write(content, "case_studies/delta.md", VALID_CASE)
    background = BackgroundBuild(catalogue_of(content), 5, index_dir)
    assert background.process is not None  # Linux: a real second process
    staged = background.wait()
    # delta and the pages of its two new terms
    assert staged is not None and (staged.report.added, staged.report.unchanged) == (3, 21)
    assert SearchIndex(index_dir).search("delta project").hits == []  # not live yet
    staged.publish()
    assert SearchIndex(index_dir).search("delta project").hits[0].slug == "delta"
    assert entries(tmp_path) == ["content", "index"]


def test_related_lists_come_back_from_the_child_as_worked_out_here(content, tmp_path):
    catalogue = catalogue_of(content)
    background = BackgroundBuild(catalogue, 2, None)
    related = background.related()
    assert related == related_slugs(catalogue, search_documents(catalogue), 2)
    assert [item.slug for item in related["beta-connections"]] == ["alpha-network", "gamma-pilot"]
    # the reasons cross the pipe with the slugs
    assert related["beta-connections"][1] == RelatedCase("gamma-pilot", (("principles", 1),))
    assert set(related) == {case.slug for case in catalogue.case_studies}
    assert background.wait() is None  # no index asked for, none made
    assert entries(tmp_path) == ["content"]


def test_a_child_that_dies_early_still_leaves_related_lists(content, tmp_path, monkeypatch):
    catalogue = catalogue_of(content)
    expected = related_slugs(catalogue, search_documents(catalogue), 2)
    parent = os.getpid()
    real = related_slugs

    def dies_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(3)
        return real(*args, **kwargs)

    monkeypatch.setattr("casebook.background.related_slugs", dies_in_the_child)
    background = BackgroundBuild(catalogue, 2, tmp_path / "index")
    assert background.related() == expected  # worked out in the parent instead
    assert background.wait() is None
    assert not (tmp_path / "index").exists()


def test_a_failing_child_leaves_the_live_index_alone(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    index_from_scratch(content, index_dir)
    before = {p.name: p.read_bytes() for p in index_dir.iterdir()}
    monkeypatch.setattr("casebook.background.stage_index", lambda *a, **k: 1 / 0)
    background = BackgroundBuild(catalogue_of(content), 5, index_dir)
    assert background.related()  # sent before the index was attempted
    assert background.wait() is None
    assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == before
    assert entries(tmp_path) == ["content", "index"]


def test_cancel_stops_the_child_mid_staging_and_removes_its_copy(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    index_from_scratch(content, index_dir)
    copied = multiprocessing.get_context("fork").Event()

    def stage_and_hang(index_dir, documents, facets, staging, *vocabulary):
        shutil.copytree(index_dir, staging)
        copied.set()
        time.sleep(60)  # cancel() must not wait for this

    monkeypatch.setattr("casebook.background.stage_index", stage_and_hang)
    background = BackgroundBuild(catalogue_of(content), 5, index_dir)
    # Cancel only once the child is certainly part-way through staging: before, this
    # test could cancel a child that had not begun, and pass without testing anything.
    assert copied.wait(timeout=20), "the child never began staging"
    assert background.staging.is_dir() and background.process.is_alive()
    started = time.monotonic()
    background.cancel()
    assert time.monotonic() - started < 10
    # ended by cancel()'s signal, not by finishing its work
    assert background.process.exitcode == -signal.SIGTERM
    assert not background.staging.exists()
    assert entries(tmp_path) == ["content", "index"]
    assert SearchIndex(index_dir).search("keyworker").hits[0].slug == "alpha-network"


def test_the_child_dies_with_the_build_that_forked_it(content, tmp_path):
    """A build killed outright (SIGKILL runs no clean-up) takes its child with it."""
    script = (
        "import sys, time\n"
        "from casebook.background import BackgroundBuild\n"
        "from casebook.content.catalogue import load_catalogue\n"
        "import casebook.background as background\n"
        "background.stage_index = lambda *a, **k: time.sleep(60)\n"
        f"catalogue, _ = load_catalogue(__import__('pathlib').Path({str(content)!r}))\n"
        f"build = BackgroundBuild(catalogue, 5, {str(tmp_path / 'index')!r})\n"
        "print(build.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE) as parent:
        child = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _running(child):
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


def test_the_static_bundle_is_built_beside_the_index_and_published_into_a_site(content, tmp_path):
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "old.txt").write_text("the previous bundle")
    background = BackgroundBuild(
        catalogue_of(content), 5, tmp_path / "index", tmp_path / ".site.pagefind"
    )
    bundle, reason = background.bundle()
    assert bundle is not None and reason == ""
    staged = background.wait()
    assert staged is not None  # the Whoosh index too
    staged.publish()
    bundle.publish(site)
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind" / "casebook-vocabulary.json").is_file()
    assert not (site / "pagefind" / "old.txt").exists()  # swapped whole, not merged
    assert entries(tmp_path) == ["content", "index", "site"]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_the_bundle_links_the_last_builds_unchanged_files(content, tmp_path, monkeypatch, start):
    """Forked or not, the bundle's files that Pagefind makes with the same bytes as in the
    last build's bundle are links to them."""
    from casebook import background as module

    monkeypatch.setattr(module.multiprocessing, "get_all_start_methods", lambda: [start])
    last = BackgroundBuild(catalogue_of(content), 5, None, tmp_path / "last")
    assert last.bundle()[0] is not None
    write(content, "case_studies/delta.md", VALID_CASE)
    built = BackgroundBuild(catalogue_of(content), 5, None, tmp_path / "next", tmp_path / "last")
    assert built.bundle()[0] is not None
    fragments = sorted((tmp_path / "next/fragment").iterdir())
    shared = [f for f in fragments if (tmp_path / "last/fragment" / f.name).exists()]
    assert shared and len(shared) < len(fragments)  # delta's is new
    for fragment in shared:
        assert fragment.stat().st_ino == (tmp_path / "last/fragment" / fragment.name).stat().st_ino


def test_after_an_edit_both_engines_suggest_from_the_library_as_it_now_reads(content, tmp_path):
    """The index counts only the changed pages' words, and the bundle takes its counts:
    both must equal a fresh count of the whole library."""
    from casebook.search.vocabulary import read_vocabulary
    from casebook.search.whoosh_index import documents_vocabulary

    def build() -> dict[str, int]:
        background = BackgroundBuild(
            catalogue_of(content), 5, tmp_path / "index", tmp_path / ".site.pagefind"
        )
        bundle, _ = background.bundle()
        background.wait().publish()
        bundle.publish(tmp_path / "site")
        bundled = read_vocabulary(tmp_path / "site/pagefind/casebook-vocabulary.json")
        assert bundled == read_vocabulary(tmp_path / "index/casebook-vocabulary.json")
        return bundled

    build()
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(
        alpha.read_text().replace("keyworker team", "Quarriers team"), encoding="utf-8"
    )
    after = build()
    assert "quarriers" in after
    assert after == documents_vocabulary(search_documents(catalogue_of(content)))


def test_a_failed_bundle_is_reported_and_the_index_still_staged(content, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    background = BackgroundBuild(
        catalogue_of(content), 5, tmp_path / "index", tmp_path / ".site.pagefind"
    )
    bundle, reason = background.bundle()
    assert bundle is None and reason.startswith("Pagefind could not build the search bundle")
    staged = background.wait()
    assert staged is not None and staged.report.added == 6 + 15  # pages, term pages
    staged.publish()
    assert entries(tmp_path) == ["content", "index"]


def test_the_child_sends_the_related_lists_before_it_starts_pagefind(
    content, tmp_path, monkeypatch
):
    """The pages wait for the related lists (a warm rebuild reaches them within a second),
    so the child works them out first, with no Pagefind competing for its core; the
    parent may not work them out itself."""
    catalogue = catalogue_of(content)
    expected = related_slugs(catalogue, search_documents(catalogue), 2)
    parent, sent = os.getpid(), []
    real_related, real_bundle = related_slugs, write_bundle

    def related(*args, **kwargs):
        assert os.getpid() != parent, "the related lists were worked out in the parent"
        lists = real_related(*args, **kwargs)
        sent.append(lists)
        return lists

    def bundle(*args, **kwargs):
        if not sent:
            os._exit(3)  # Pagefind before the related lists: no bundle
        return real_bundle(*args, **kwargs)

    monkeypatch.setattr("casebook.background.related_slugs", related)
    monkeypatch.setattr("casebook.background.write_bundle", bundle)
    background = BackgroundBuild(catalogue, 2, tmp_path / "index", tmp_path / ".site.pagefind")
    assert background.related() == expected
    staged_bundle, reason = background.bundle()
    assert staged_bundle is not None and reason == ""
    assert background.wait() is not None


def test_the_child_yields_the_cpu_to_the_pages(content, tmp_path, monkeypatch):
    """MkDocs' rendering is the build's critical path: the child, and so Pagefind's
    binary, which inherits it, runs at a lower priority."""
    from casebook.background import BACKGROUND_NICENESS

    catalogue = catalogue_of(content)
    real, seen = related_slugs, tmp_path / "niceness"

    def related_noting_the_niceness(*args, **kwargs):
        seen.write_text(str(os.nice(0)))
        return real(*args, **kwargs)

    monkeypatch.setattr("casebook.background.related_slugs", related_noting_the_niceness)
    background = BackgroundBuild(catalogue, 2, None)
    background.related()
    background.wait()
    assert int(seen.read_text()) == min(19, os.nice(0) + BACKGROUND_NICENESS)


def test_the_second_process_starts_as_soon_as_the_library_is_read(content, tmp_path, monkeypatch):
    """It needs only the library; what on_files does next (the generated pages, the data
    files) is time its related lists and Pagefind bundle use, and a warm rebuild ends
    when the bundle does."""
    from casebook import mkdocs_plugin

    from .conftest import build_in_process

    events = []
    real_start, real_pages = mkdocs_plugin.BackgroundBuild.__init__, mkdocs_plugin.generated_pages

    def start(self, *args, **kwargs):
        events.append("second process")
        real_start(self, *args, **kwargs)

    monkeypatch.setattr(mkdocs_plugin.BackgroundBuild, "__init__", start)
    monkeypatch.setattr(
        mkdocs_plugin, "generated_pages", lambda *a: events.append("pages") or real_pages(*a)
    )
    result = build_in_process(content, tmp_path / "site", tmp_path / "index")
    assert result.ok, "\n".join(result.lines)
    assert events == ["second process", "pages"]


def test_in_a_rebuild_the_child_keeps_the_pages_priority(content, tmp_path, monkeypatch):
    """From nothing, the pages are the end of the build and the child yields to them; in
    a rebuild (the library's checks kept) the pages come from the caches and are done
    first, and the bundle the child makes is the end."""
    from casebook.background import BACKGROUND_NICENESS

    from .conftest import build_in_process

    real, seen = related_slugs, tmp_path / "niceness"

    def related_noting_the_niceness(*args, **kwargs):
        with seen.open("a") as file:
            file.write(f"{os.nice(0)}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr("casebook.background.related_slugs", related_noting_the_niceness)
    for name in ("cold", "rebuild"):
        result = build_in_process(content, tmp_path / "site", tmp_path / "index")
        assert result.ok, (name, "\n".join(result.lines))
    base = os.nice(0)
    assert [int(n) for n in seen.read_text().split()] == [
        min(19, base + BACKGROUND_NICENESS),
        base,
    ]
