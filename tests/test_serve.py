"""`casebook serve` under idle and slow clients, and while builds swap the site and the
index under it. Everything runs on 127.0.0.1, with bounded loops, and stops by itself."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from casebook.api import SERVER_SETTINGS, SearchApp
from casebook.content.taxonomy import load_taxonomies
from casebook.site.directories import swap_directory
from waitress import create_server, wasyncore

from .test_search import index_content


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture
def casebook_serve(content, tmp_path):
    """The real command, in its own process, on a free loopback port."""
    index_content(content, tmp_path / "index")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Home</h1>")
    port = free_port()
    command = [sys.executable, "-m", "casebook", "serve", "--port", str(port)]
    command += ["--site-dir", str(site), "--index", str(tmp_path / "index")]
    command += ["--content", str(content)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as server:
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if get(port, "/", timeout=1)[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.1)
            yield port
        finally:
            server.send_signal(signal.SIGINT)
            try:
                _, errors = server.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                _, errors = server.communicate()
        assert b"Traceback" not in errors, errors.decode()


def test_the_server_keeps_answering_with_200_idle_connections(casebook_serve):
    port = casebook_serve
    idle = []
    try:
        for number in range(200):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            if number % 2:  # half of them start a request and never finish it
                connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            idle.append(connection)
        started = time.monotonic()
        status, _, body = get(port, "/api/search?q=keyworker", timeout=5)
        assert status == 200 and json.loads(body)[0]["slug"] == "alpha-network"
        assert get(port, "/", timeout=5)[0] == 200
        assert time.monotonic() - started < 3
    finally:
        for connection in idle:
            connection.close()


def test_a_slow_client_does_not_hold_up_the_others(casebook_serve):
    port = casebook_serve
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    request = b"GET /api/search?q=keyworker HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    try:
        for number, byte in enumerate(request):  # about 1.5 s, a byte at a time
            slow.sendall(bytes([byte]))
            time.sleep(0.02)
            if number % 20 == 0:  # meanwhile others are answered at once
                started = time.monotonic()
                assert get(port, "/", timeout=5)[0] == 200
                assert time.monotonic() - started < 1
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
    finally:
        slow.close()


def test_settings_documented_in_the_readme_are_the_ones_used():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name, value in SERVER_SETTINGS.items():
        if name != "asyncore_use_poll":
            assert f"`{name}` {value:,}" in readme or f"`{name}` {value}" in readme, name


# -- while builds swap the site and index under the server ------------------------------


def generation(tmp_path: Path, letter: str, size: int) -> Path:
    tree = tmp_path / f"tree-{letter}"
    (tree / "notes").mkdir(parents=True)
    (tree / "index.html").write_text(f"<h1>{letter}</h1>")
    (tree / "notes" / "big.txt").write_text(letter * size)
    return tree


def test_responses_come_whole_from_one_generation_while_builds_swap(content, tmp_path):
    index_content(content, tmp_path / "index-a")
    trees = [generation(tmp_path, "a", 300_000), generation(tmp_path, "b", 100_000)]
    site, index = tmp_path / "build" / "site", tmp_path / "build" / "search_index"
    site.parent.mkdir()
    swap_directory(shutil.copytree(trees[0], tmp_path / "first"), site)
    swap_directory(shutil.copytree(tmp_path / "index-a", tmp_path / "first-index"), index)
    taxonomies, _ = load_taxonomies(content)
    httpd = create_server(
        SearchApp(site, index, taxonomies), host="127.0.0.1", port=0, threads=4, **SERVER_SETTINGS
    )
    port = httpd.effective_port
    serving = threading.Thread(target=httpd.run, daemon=True)
    serving.start()
    problems: list[str] = []
    stop = threading.Event()

    def read_repeatedly(path: str, check) -> None:
        while not stop.is_set():
            try:
                status, headers, body = get(port, path)
                check(status, headers, body)
            except Exception as error:  # noqa: BLE001 -- every kind of failure is recorded
                problems.append(f"{path}: {error!r}")

    def whole_file(status, headers, body):
        if status != 200 or int(headers["Content-Length"]) != len(body):
            problems.append(f"big.txt: {status}, {headers['Content-Length']} != {len(body)}")
        elif body not in (b"a" * 300_000, b"b" * 100_000):
            problems.append("big.txt: bytes from two generations")

    def search_answers(status, headers, body):
        if status != 200 or json.loads(body)[0]["slug"] != "alpha-network":
            problems.append(f"search: {status} {body[:80]!r}")

    readers = [
        threading.Thread(target=read_repeatedly, args=("/notes/big.txt", whole_file)),
        threading.Thread(target=read_repeatedly, args=("/notes/big.txt", whole_file)),
        threading.Thread(target=read_repeatedly, args=("/api/search?q=keyworker", search_answers)),
    ]
    try:
        for reader in readers:
            reader.start()
        for number in range(30):
            tree = trees[number % 2]
            swap_directory(shutil.copytree(tree, tmp_path / f"staged-{number}"), site)
            swap_directory(
                shutil.copytree(tmp_path / "index-a", tmp_path / f"staged-index-{number}"), index
            )
            time.sleep(0.02)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=10)
        httpd.trigger.pull_trigger(lambda: wasyncore.close_all(httpd._map))
        serving.join(timeout=5)
        httpd.task_dispatcher.shutdown()
    assert problems == []
    generations = [p.name for p in site.parent.iterdir() if p.name.startswith(".site.gen-")]
    assert len(generations) == 2  # the live one and the one before it; no more


def test_the_live_path_names_a_whole_tree_at_every_instant(tmp_path):
    trees = [generation(tmp_path, "a", 10), generation(tmp_path, "b", 10)]
    live = tmp_path / "build" / "site"
    live.parent.mkdir()
    swap_directory(shutil.copytree(trees[0], tmp_path / "first"), live)
    missing, looks = [], [0]
    stop = threading.Event()

    def look() -> None:
        while not stop.is_set():
            looks[0] += 1
            if not (live / "notes" / "big.txt").is_file():
                missing.append(looks[0])

    watcher = threading.Thread(target=look)
    watcher.start()
    try:
        for number in range(200):
            swap_directory(shutil.copytree(trees[number % 2], tmp_path / f"s-{number}"), live)
    finally:
        stop.set()
        watcher.join()
    assert missing == [] and looks[0] > 200


def test_a_publish_interrupted_before_its_rename_leaves_the_old_tree_live(tmp_path, monkeypatch):
    trees = [generation(tmp_path, "a", 10), generation(tmp_path, "b", 10)]
    live = tmp_path / "build" / "site"
    live.parent.mkdir()
    swap_directory(shutil.copytree(trees[0], tmp_path / "first"), live)

    def killed(*args):
        raise KeyboardInterrupt  # stands in for a kill between the link and its rename

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", killed)
        with pytest.raises(KeyboardInterrupt):
            swap_directory(shutil.copytree(trees[1], tmp_path / "second"), live)
    assert (live / "index.html").read_text() == "<h1>a</h1>"
    swap_directory(shutil.copytree(trees[1], tmp_path / "third"), live)
    assert (live / "index.html").read_text() == "<h1>b</h1>"
    left = sorted(p.name.split("-")[0] for p in live.parent.iterdir())
    assert left == [".site.gen", ".site.gen", "site"]  # the orphan and its link are gone
