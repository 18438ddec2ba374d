"""Chromium over a site built (without --strict) from every hostile probe of issue 11: no
dialog opens on any page or in Material's search results, no element carries an event
handler, and the Content-Security-Policy blocks nothing the site itself needs."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from .test_browser import browser  # noqa: F401  (the shared Chromium fixture)
from .test_hostile import build_hostile_site

pytestmark = pytest.mark.browser

EVENT_ELEMENTS = (
    "document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover],[onfocus]').length"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the standard library's name)
        pass


@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory):
    """Served as a static host would: every reader feature must work from the files."""
    site = build_hostile_site(tmp_path_factory.mktemp("hostile-browser"))["site"]
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages = sorted(
        p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html")
    )
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/", "pages": pages}
    server.shutdown()
    server.server_close()


@pytest.fixture
def watched(browser):  # noqa: F811
    """A page that records every dialog, CSP report and script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(5000)
    seen = {"dialogs": [], "csp": [], "errors": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and seen["csp"].append(message.text)
        ),
    )
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    yield page, seen
    context.close()


def test_no_dialog_fires_on_any_page_and_the_policy_blocks_nothing(watched, hostile_served):
    page, seen = watched
    assert len(hostile_served["pages"]) > 20
    for url in hostile_served["pages"]:
        page.goto(hostile_served["url"] + url)
        page.wait_for_load_state("load")
        assert page.evaluate(EVENT_ELEMENTS) == 0, url
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0, url
    page.wait_for_timeout(300)
    assert seen["dialogs"] == []
    assert seen["csp"] == []  # the theme's and the site's own scripts all ran
    assert seen["errors"] == []


def test_no_dialog_fires_in_the_search_results(watched, hostile_served):
    page, seen = watched
    page.goto(hostile_served["url"])
    search = page.locator("input.md-search__input")  # in the header at this width
    search.click()
    search.press_sequentially("Probe", delay=50)  # Material searches on key events
    page.wait_for_selector(".md-search-result__item")
    page.wait_for_timeout(300)  # let every result render
    titles = page.locator(".md-search-result__item h1, .md-search-result__item h2")
    text = " ".join(titles.all_inner_texts())
    assert "Probe <img src=x onerror=alert('case-title')>" in text  # shown, as text
    assert page.evaluate(EVENT_ELEMENTS) == 0
    assert seen["dialogs"] == [] and seen["csp"] == [] and seen["errors"] == []
