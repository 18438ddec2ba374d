"""Shared fixtures: a small content tree copied per test, and helpers to write files."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import shutil
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from casebook.api import SearchApp
from casebook.content.taxonomy import load_taxonomies

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
TODAY = dt.date(2026, 11, 24)

VALID_CASE = """\
---
title: Delta Project
summary: A valid test case study.
place: inverclyde
themes:
  - collaborative-working
principles:
  - citizen-agency
partners:
  - Delta Trust
  - Epsilon Group
started: 2016
policies:
  - test-act
sources: [{title: Delta Report, publisher: Delta Trust, section: Part 1}]
---

A body with words.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the fixture content tree."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def unavailable(what: str, reason: str):
    """Skip locally with the reason; under CI a missing tool is a failure, since the
    Makefile installs everything the tests need."""
    import os

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} cannot run under CI: {reason}")
    pytest.skip(reason)


def errors(problems: list) -> list:
    """The problems that fail a check; the fixtures' short bodies only draw warnings."""
    return [problem for problem in problems if problem.is_error]


def entries(directory: Path) -> list[str]:
    """What a directory holds, a published tree counted once by its live name: the
    generations behind a live link (the current one and the one before) are left out,
    so a leftover from a failed or killed build shows."""
    links = [p.name for p in directory.iterdir() if p.is_symlink()]
    return sorted(
        p.name
        for p in directory.iterdir()
        if not any(p.name.startswith(f".{link}.gen-") for link in links)
    )


def write(directory: Path, relative: str, text: str) -> Path:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def case_with(**replacements: str) -> str:
    """VALID_CASE with whole front-matter lines replaced: case_with(started="started: 2999")."""
    text = VALID_CASE
    for key, line in replacements.items():
        lines = text.split("\n")
        start = next(i for i, item in enumerate(lines) if item.startswith(f"{key}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith("  - "):
            end += 1
        lines[start:end] = [line] if line else []
        text = "\n".join(lines)
    return text


def site_config(content: Path, site_dir: Path) -> Path:
    """An mkdocs.yml for a content tree, using the project's own theme settings."""
    config = content.parent / "mkdocs.yml"
    project = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The fixture tree has none of the project's guides: give it a nav of its own.
    project = project.split("\nnav:")[0] + (
        "\nnav:\n  - Home: index.md\n  - Case studies: case_studies/index.md\n"
        "  - Themes: themes/index.md\n  - Policy: policy/index.md\n"
    )
    project = project.replace("docs_dir: content", f"docs_dir: {content}")
    project = project.replace("site_dir: build/site", f"site_dir: {site_dir}")
    project = project.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    config.write_text(project, encoding="utf-8")
    return config


def run_mkdocs_build(content: Path, site_dir: Path, index_dir: Path, strict: bool = True):
    import os
    import subprocess
    import sys

    config = site_config(content, site_dir)
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config)]
    if strict:
        command.append("--strict")
    environment = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", CASEBOOK_SEARCH_INDEX_DIR=str(index_dir)
    )
    return subprocess.run(command, capture_output=True, text=True, env=environment)


# -- builds in this process (issue 18, item 4) --------------------------------------------
# Where the process is not what a test is about, the site is built through MkDocs' Python
# API: no interpreter start-up and imports per build, and the log is read as records, so a
# test asserts the exact lines a contributor sees.


@dataclass
class Built:
    """One in-process build: where it wrote, why it stopped (None: it built) and every
    line of its log, as the terminal shows them ("WARNING -  casebook: ...")."""

    site: Path
    index: Path
    error: str | None
    lines: list[str]

    @property
    def ok(self) -> bool:
        return self.error is None

    def at(self, level: str) -> list[str]:
        """The lines logged at one level ("WARNING", "INFO"), in order."""
        return [line for line in self.lines if line.startswith(f"{level:<8}-  ")]


PLUGIN_LOGGER = "mkdocs.plugins.casebook"


class _TerminalLines(logging.Handler):
    """The build's log as `mkdocs build` prints it: `LEVEL   -  message`. The plugin's
    logger adds "casebook: " itself; the core's "casebook" logger prints through a
    handler that adds it (mkdocs_plugin._show_core_warnings)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name == "casebook" or record.name.startswith("casebook."):
            message = f"casebook: {message}"
        self.lines.append(f"{record.levelname:<8}-  {message}")


def build_in_process(
    content: Path,
    site_dir: Path,
    index_dir: Path,
    strict: bool = True,
    casebook_debug: bool = False,
    config_file: Path | None = None,
) -> Built:
    """`mkdocs build [--strict]` of a content tree, in this process (as the CLI: startup,
    build, shutdown), keeping messages from INFO up. `casebook_debug`: the plugin's DEBUG
    lines too (the render cache's count); only the plugin's, since MkDocs checks no
    anchor when its own logger is at DEBUG."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = config_file or site_config(content, site_dir)
    handler = _TerminalLines()
    engine, core, plugin = (logging.getLogger(n) for n in ("mkdocs", "casebook", PLUGIN_LOGGER))
    levels = [(logger, logger.level) for logger in (engine, core, plugin)]
    for logger in (engine, core):
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    if casebook_debug:
        plugin.setLevel(logging.DEBUG)
    index_before = os.environ.get("CASEBOOK_SEARCH_INDEX_DIR")
    os.environ["CASEBOOK_SEARCH_INDEX_DIR"] = str(index_dir)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    error = None
    try:
        config = load_config(config_file=str(config_file), strict=strict, site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as stopped:
        error = stopped.format_message()
    finally:
        if index_before is None:
            del os.environ["CASEBOOK_SEARCH_INDEX_DIR"]
        else:
            os.environ["CASEBOOK_SEARCH_INDEX_DIR"] = index_before
        for logger in (engine, core):
            logger.removeHandler(handler)
        for logger, level in levels:
            logger.setLevel(level)
    return Built(Path(site_dir), Path(index_dir), error, handler.lines)


def pagefind_records(site) -> dict[str, dict]:
    """The static index's records by URL, read from its (gzipped) fragment files."""
    records = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


def build_real_site(root: Path) -> tuple[Path, Path]:
    """The project's own content, built by `mkdocs build --strict` (in this process) into
    root/site, with the Whoosh index in root/index."""
    result = build_in_process(
        ROOT / "content", root / "site", root / "index", config_file=ROOT / "mkdocs.yml"
    )
    assert result.ok, "\n".join(result.lines[-30:])
    return root / "site", root / "index"


# -- browser fixtures, shared by test_browser.py and test_search_browser.py --------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def save_screenshot(page, name: str) -> None:
    """The whole page at the viewport's width, as build/screenshots/<name>.png: what a
    reader can scroll to. Material's phone search overlay is a circle scaled far wider
    than the screen; the page hides that overflow, but a plain full-page shot shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)


def browser_unavailable(reason: str):
    unavailable("browser tests", reason)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        browser_unavailable(
            "no Chromium at /usr/bin/chromium (make test installs Debian's chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed (make setup installs it)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # a broken browser install is reported, not hidden
            browser_unavailable(f"Chromium would not start: {error}")
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The fixture content built once, served with the search API on a free port."""
    root = tmp_path_factory.mktemp("browser")
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    result = build_in_process(content, root / "site", root / "index")
    assert result.ok, "\n".join(result.lines)
    taxonomies, _ = load_taxonomies(content)
    records = json.loads((root / "site/data/case_studies.json").read_text(encoding="utf-8"))
    with serving(SearchApp(root / "site", root / "index", taxonomies)) as url:
        yield {"url": url, "records": records, "dir": root / "site"}


@contextlib.contextmanager
def serving(app):
    """A WSGI app under waitress on a free loopback port, in a thread. Stopped from the
    server's own loop thread: closed from here while that thread waits in select(), its
    sockets vanished under it and it died with 'Bad file descriptor' (which pytest
    reports as an error of whichever test ends next)."""
    from waitress import create_server, wasyncore

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
        assert not thread.is_alive()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(5000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture(scope="session")
def static_site(site):
    """The same built site on a plain static server: no search API."""
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site["dir"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "records": site["records"]}
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The project's own content, built once: the site (with its static index) and the
    Whoosh index."""
    site, index = build_real_site(tmp_path_factory.mktemp("real-build"))
    return {"site": site, "index": index}


def wait_until(page, expression: str, arg=None, timeout: float = 30.0) -> None:
    """Poll a page expression (or a function of `arg`) from outside the page until it is
    truthy. Playwright's wait_for_function polls with a string evaluated inside the page,
    which the site's Content-Security-Policy rightly refuses; page.evaluate is not."""
    import time

    deadline = time.monotonic() + timeout
    while not (page.evaluate(expression) if arg is None else page.evaluate(expression, arg)):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def cache_records(path: Path) -> tuple[dict, dict]:
    """A cache file's header and records, read as a person would (site/render_cache.py:
    a checksum line, a header line, then one `key<TAB>record` line a record)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "a cache file ends with a newline"
    records = {}
    for line in lines[2:-1]:
        key, _, record = line.partition("\t")
        records[json.loads(key)] = json.loads(record)
    return json.loads(lines[1]), records


def cache_text(header: dict, records: dict) -> str:
    """What follows the checksum line in a cache file holding `records`."""
    lines = [json.dumps(header)] + [f"{json.dumps(k)}\t{json.dumps(v)}" for k, v in records.items()]
    return "\n".join(lines) + "\n"


def write_cache(path: Path, text: str, checksum: str | None = None) -> None:
    """A cache file of `text`, with its checksum (or the one given, to damage it)."""
    if checksum is None:
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    path.write_text(f"{checksum}\n{text}", encoding="utf-8")
