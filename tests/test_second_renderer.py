"""The second renderer: a fork renders pages from the last one back while the caller
renders them from the first; it stops where the caller is, and what it sends comes back
whole, in order, byte for byte."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from casebook.site import second_renderer
from casebook.site.second_renderer import SecondRenderer

from .conftest import build_in_process, cache_records

COUNT = second_renderer.WORTH_A_PROCESS + 36


def until_done(renderer: SecondRenderer, at: int = -1) -> list[tuple[str, ...]]:
    """Everything it sends, reading as the caller would, while standing at page `at`."""
    found: list[tuple[str, ...]] = []
    deadline = time.monotonic() + 30
    while renderer.process is not None and time.monotonic() < deadline:
        found += renderer.reached(at)
        if renderer._read is None:  # it has finished and every byte is read
            break
        time.sleep(0.005)
    return found


def test_pages_come_from_the_last_one_back_from_another_process():
    parent = os.getpid()
    renderer = SecondRenderer(COUNT, lambda n: (f"key-{n}", f"page {n}", str(os.getpid())))
    try:
        found = until_done(renderer)
    finally:
        renderer.stop()
    assert [key for key, _, _ in found] == [f"key-{n}" for n in reversed(range(COUNT))]
    assert all(page == f"page {key[4:]}" for key, page, _ in found)
    assert {pid for _, _, pid in found} != {str(parent)} and len({p for *_, p in found}) == 1
    assert renderer.received == COUNT


def test_it_renders_nothing_at_or_below_the_callers_page():
    rendered = []

    def slow(number: int) -> tuple[str, str]:
        time.sleep(0.01)
        return f"key-{number}", "x"

    renderer = SecondRenderer(COUNT, slow)
    try:
        time.sleep(0.2)
        middle = COUNT // 2
        rendered += renderer.reached(middle)
        rendered += until_done(renderer, at=middle)
    finally:
        renderer.stop()
    numbers = [int(key[4:]) for key, _ in rendered]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == COUNT - 1
    # at most the page it was rendering when the caller got there is at or below it
    assert len([n for n in numbers if n <= middle]) <= 1
    assert len(numbers) < COUNT - middle + 1


def test_any_text_comes_back_exactly_and_none_or_a_failure_sends_nothing():
    texts = ["", "ascii", "é – ‘quoted’ \u2028 \x00 tab\t", "\ud800 lone surrogate", "x" * 300_000]

    def render(number: int) -> tuple[str, ...] | None:
        if number % 3 == 1:
            return None
        if number % 3 == 2:
            raise RuntimeError("broke there; the caller renders it")
        return (str(number), *texts)

    renderer = SecondRenderer(COUNT, render)
    try:
        found = until_done(renderer)
    finally:
        renderer.stop()
    assert [int(key) for key, *_ in found] == [n for n in reversed(range(COUNT)) if n % 3 == 0]
    assert all(list(rest) == texts for _, *rest in found)


def test_few_pages_or_no_fork_start_nothing(monkeypatch):
    few = SecondRenderer(second_renderer.WORTH_A_PROCESS - 1, lambda n: ("k", "p"))
    assert few.process is None and few.reached(0) == []
    few.stop()
    monkeypatch.setattr(second_renderer.multiprocessing, "get_all_start_methods", lambda: [])
    none = SecondRenderer(COUNT, lambda n: ("k", "p"))
    assert none.process is None and none.reached(3) == []


def test_stop_ends_it_wherever_it_is():
    renderer = SecondRenderer(COUNT, lambda n: time.sleep(5))
    process = renderer.process
    started = time.monotonic()
    renderer.stop()
    assert time.monotonic() - started < 3
    assert not process.is_alive() and renderer.process is None and renderer.reached(0) == []


def test_the_fork_closes_the_descriptors_it_is_given():
    """A pipe's reader sees its end only when every copy of the writing end is closed:
    the fork must not keep another writer's pipe open."""
    read, write = os.pipe()
    renderer = SecondRenderer(COUNT, lambda n: time.sleep(5), inherited=[write])
    try:
        os.close(write)
        os.set_blocking(read, False)
        deadline = time.monotonic() + 10
        while True:
            try:
                assert os.read(read, 1) == b""  # the end: no copy of `write` is left
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("the fork kept the writing end open")
                time.sleep(0.01)
        assert renderer.process.is_alive()
    finally:
        renderer.stop()
        os.close(read)


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a site but the Pagefind bundle, whose names vary from run to run."""
    return {
        str(path.relative_to(site)): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.relative_to(site).parts[0] != "pagefind"
    }


def test_a_site_finished_by_the_second_renderer_is_the_site_mkdocs_writes(
    content, tmp_path, monkeypatch
):
    """Every page rendered in the fork (it renders them all before MkDocs reaches the
    first): the same site byte for byte, and the same caches for the next build, as
    with no second renderer."""
    caches = content.parent / "build" / "cache"
    monkeypatch.setattr(second_renderer, "WORTH_A_PROCESS", 10**9)
    site, index = tmp_path / "site", tmp_path / "index"
    alone = build_in_process(content, site, index)
    assert alone.ok, alone.lines
    written_alone = files_of(site)
    kept_alone = {path.name: cache_records(path)[1] for path in caches.glob("*.json")}
    shutil.rmtree(content.parent / "build")
    shutil.rmtree(site)

    monkeypatch.setattr(second_renderer, "WORTH_A_PROCESS", 1)
    reached = SecondRenderer.reached

    def all_first(self, index):
        if not getattr(self, "waited", False):
            self.waited = True
            return until_done(self) + reached(self, index)
        return reached(self, index)

    monkeypatch.setattr(SecondRenderer, "reached", all_first)
    both = build_in_process(content, site, index, casebook_debug=True)
    assert both.ok, both.lines
    sent = re.search(r"second renderer: (\d+) pages", "\n".join(both.lines))
    pages = len([name for name in written_alone if name.endswith("index.html")])
    assert sent and int(sent[1]) == pages > 10
    assert files_of(site) == written_alone
    kept_both = {path.name: cache_records(path)[1] for path in caches.glob("*.json")}
    assert kept_both.keys() == kept_alone.keys() and "pages.json" in kept_both
    for name, records in kept_alone.items():
        if name != "term-counts.json":  # the background's, the same either way
            assert kept_both[name].keys() == records.keys(), name


def test_a_draft_previewed_by_mkdocs_serve_keeps_its_draft_mark(content, tmp_path, monkeypatch):
    """MkDocs marks a draft's content after the page_context event, where the page's key
    is made: the second renderer must leave drafts to MkDocs' process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from .conftest import site_config

    site = tmp_path / "site"
    config_file = site_config(content, site)
    with config_file.open("a", encoding="utf-8") as config:
        config.write("\ndraft_docs: |\n  policy/test-act.md\n")
    monkeypatch.setenv("CASEBOOK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setattr(second_renderer, "WORTH_A_PROCESS", 1)
    reached, sent = SecondRenderer.reached, []

    def all_first(self, index):
        if not getattr(self, "waited", False):
            self.waited = True
            sent.extend(until_done(self))
            return sent + reached(self, index)
        return reached(self, index)

    monkeypatch.setattr(SecondRenderer, "reached", all_first)
    config = load_config(config_file=str(config_file), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
    finally:
        config.plugins.on_shutdown()
    assert len(sent) > 10  # the other pages came from the fork
    marker = 'class="mkdocs-draft-marker"'
    assert marker in (site / "policy/test-act/index.html").read_text(encoding="utf-8")
    assert marker not in (site / "case_studies/alpha-network/index.html").read_text("utf-8")
