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
from casebook.site import page_writer, second_renderer
from casebook.site.page_writer import PIPE_SIZE, widen_pipe
from casebook.site.second_renderer import SecondRenderer, render_pages, take_frames

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


class Pipe:
    """A pipe's writing end as the fork has it: what is written, at most `most` bytes a
    call (a pipe may take part of a write), or an error once `fails_after` calls."""

    def __init__(self, most: int = 1 << 30, fails_after: int | None = None):
        self.data, self.most, self.fails_after, self.calls = bytearray(), most, fails_after, 0

    def write(self, view) -> int:
        self.calls += 1
        if self.fails_after is not None and self.calls > self.fails_after:
            raise BrokenPipeError("the reader has gone")
        taken = bytes(view[: self.most])
        self.data += taken
        return len(taken)


def at(index: int) -> bytearray:
    """The caller's place, as the shared memory holds it."""
    position = bytearray(8)
    second_renderer._POSITION.pack_into(position, 0, index)
    return position


def test_the_fork_sends_pages_from_the_last_down_to_the_callers_and_no_further():
    rendered = []

    def render(number: int) -> tuple[str, ...] | None:
        rendered.append(number)
        if number == 7:
            raise RuntimeError("left to the caller, which fails there if it must")
        if number == 5:
            return None
        return (f"key-{number}", "é\ud800" * number, *["", "x"][: number % 3])

    pipe = Pipe(most=7)  # every frame arrives in pieces
    render_pages(pipe, 10, render, at(2))
    assert rendered == [9, 8, 7, 6, 5, 4, 3]  # not 2 (the caller's) nor below it
    frames = take_frames(pipe.data)  # frames of two, three and four strings, read at once
    assert frames == [(f"key-{n}", "é\ud800" * n, *["", "x"][: n % 3]) for n in (9, 8, 6, 4, 3)]
    assert pipe.data == bytearray()  # every byte was a whole frame
    everything = Pipe()
    render_pages(everything, 3, lambda n: (str(n),), at(-1))
    assert take_frames(everything.data) == [("2",), ("1",), ("0",)]


def test_a_pipe_no_one_reads_ends_the_work():
    rendered = []
    render_pages(Pipe(fails_after=0), 10, lambda n: rendered.append(n) or ("k",), at(-1))
    assert rendered == [9]


def test_a_frame_is_taken_only_once_it_is_whole():
    shapes = [(), ("", ""), ("key", "x" * 300, ""), ("only",)]
    whole = Pipe()
    render_pages(whole, len(shapes), lambda n: shapes[n], at(-1))
    assert take_frames(bytearray(whole.data)) == shapes[::-1]
    for cut in range(len(whole.data) + 1):  # the bytes split anywhere, read in two parts
        buffer = bytearray(whole.data[:cut])
        found = take_frames(buffer)
        buffer += whole.data[cut:]
        assert found + take_frames(buffer) == shapes[::-1] and buffer == bytearray()
    buffer, found = bytearray(), []
    for byte in bytes(whole.data):
        buffer.append(byte)
        found += take_frames(buffer)
    assert found == shapes[::-1] and buffer == bytearray()


def test_from_that_many_pages_on_a_process_is_started_and_renders_them_all():
    count = second_renderer.WORTH_A_PROCESS
    renderer = SecondRenderer(count, lambda n: (str(n), "page"))
    try:
        renderer.process.join(timeout=30)  # it renders every page: the caller is nowhere yet
        found = renderer.reached(-1)  # many frames, read at once
    finally:
        renderer.stop()
    assert [int(key) for key, _ in found] == list(reversed(range(count)))


def test_the_caller_never_waits_for_the_fork():
    renderer = SecondRenderer(COUNT, lambda n: time.sleep(5))
    try:
        started = time.monotonic()
        assert renderer.reached(0) == []  # it is still rendering the pages above
        assert time.monotonic() - started < 1
    finally:
        renderer.stop()


def test_a_pipe_that_cannot_be_read_counts_as_the_end(monkeypatch):
    renderer = SecondRenderer(COUNT, lambda n: time.sleep(5))
    reads = []

    def failing_read(descriptor, size):
        reads.append(descriptor)
        raise OSError(5, "Input/output error")

    try:
        monkeypatch.setattr(second_renderer.os, "read", failing_read)
        assert renderer.reached(0) == [] and renderer._read is None
        assert len(reads) == 1
        monkeypatch.undo()
        assert renderer.reached(0) == []  # nothing more is read
    finally:
        renderer.stop()


def test_the_pipe_is_widened_where_linux_allows(monkeypatch):
    read, write = os.pipe()
    try:
        widen_pipe(write)
        import fcntl

        assert fcntl.fcntl(write, getattr(fcntl, "F_GETPIPE_SZ", 1032)) == PIPE_SIZE == 1 << 20
        monkeypatch.setattr(page_writer, "fcntl", None)  # Windows has no fcntl
        widen_pipe(write)  # and the pipe keeps its size, without an error
    finally:
        os.close(read)
        os.close(write)


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
