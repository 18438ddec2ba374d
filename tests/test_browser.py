"""Browser tests: Playwright driving Debian's Chromium against a built fixture site served
by the project's own WSGI app on loopback. Screenshots go to build/screenshots/."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from itertools import combinations
from urllib.parse import urlencode

import pytest
from casebook.api import SearchApp
from casebook.content.taxonomy import load_taxonomies

from .conftest import AXE, ROOT, SCREENSHOTS, browser_unavailable
from .test_hostile import build_hostile_site

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None

# Waits use Playwright's locators, which run outside the page: wait_for_function
# evaluates a string in the page, which a Content-Security-Policy without
# 'unsafe-eval' (as `casebook serve` sends) rightly refuses.
WAIT = 30_000


def shown(page, count: int) -> None:
    """Wait until exactly `count` case-study cards are shown."""
    expect(page.locator("[data-slug]:not([hidden])")).to_have_count(count, timeout=WAIT)


pytestmark = pytest.mark.browser


def open_catalogue(page, site, query: str = ""):
    page.goto(site["url"] + "case_studies/" + query)
    page.wait_for_selector("#cb-filters:not([hidden])")


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-slug]", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.slug)"
    )


def expected(records, text: str = "", **selected) -> list[str]:
    """What the filters should show, computed from the JSON export alone."""
    from casebook.content.text import slugify

    def values(record, facet):
        value = record.get(facet)
        items = value if isinstance(value, list) else ([] if value is None else [value])
        return [slugify(v) for v in items] if facet in ("focus", "partners") else items

    words = text.lower().split()
    matches = []
    for record in records:
        haystack = " ".join([record["title"], record["summary"], *record["partners"]]).lower()
        if not all(word in haystack for word in words):
            continue
        if all(
            not wanted or set(wanted) & set(values(record, facet))
            for facet, wanted in selected.items()
        ):
            matches.append(record["slug"])
    return matches


def check(page, value: str):
    """Tick a filter as a reader would: open its facet first if it is folded away."""
    box = page.locator(f'#cb-filters input[value="{value}"]')
    if not box.is_visible():
        box.locator("xpath=ancestor::details/summary").click()
    box.check()


def test_filter_by_theme_shows_exactly_the_matching_cards_and_updates_the_url(page, site):
    open_catalogue(page, site)
    assert sorted(visible_cards(page)) == sorted(r["slug"] for r in site["records"])
    check(page, "culture-shift")
    assert sorted(visible_cards(page)) == sorted(
        expected(site["records"], themes=["culture-shift"])
    )
    assert page.url.endswith("/case_studies/?themes=culture-shift")
    assert page.inner_text("#cb-status") == "Showing 2 of 3 case studies."


def test_reload_keeps_the_filter(page, site):
    open_catalogue(page, site, "?themes=lived-experience")
    assert page.is_checked('input[value="lived-experience"]')
    assert visible_cards(page) == expected(site["records"], themes=["lived-experience"])
    page.reload()
    page.wait_for_selector("#cb-filters:not([hidden])")
    assert visible_cards(page) == ["beta-connections"]


def test_two_facets_and_across_or_within(page, site):
    open_catalogue(page, site)
    check(page, "culture-shift")
    check(page, "lived-experience")
    assert len(visible_cards(page)) == 3  # OR within themes
    check(page, "glasgow-city")
    assert (
        visible_cards(page)
        == expected(
            site["records"], themes=["culture-shift", "lived-experience"], place=["glasgow-city"]
        )
        == ["alpha-network"]
    )
    # values appear in the form's order (the taxonomy's), whatever order they were ticked in
    assert "?themes=lived-experience&themes=culture-shift&place=glasgow-city" in page.url
    counts = page.inner_text('label[for="cb-place-inverclyde"]')
    assert counts.endswith("(1)")  # with the themes chosen, one Inverclyde case matches


def test_text_filter_matches_title_summary_and_partners(page, site):
    open_catalogue(page, site)
    page.fill("#cb-text", "shared partner")
    shown(page, 2)
    assert sorted(visible_cards(page)) == ["alpha-network", "beta-connections"]
    page.fill("#cb-text", "zzz-nothing")
    page.wait_for_selector("#cb-empty:not([hidden])")
    assert visible_cards(page) == []


def test_clear_all(page, site):
    open_catalogue(page, site, "?themes=culture-shift&place=scotland&text=pilot")
    assert visible_cards(page) == ["gamma-pilot"]
    page.click("#cb-clear")
    assert len(visible_cards(page)) == 3
    assert page.url.endswith("/case_studies/")
    assert page.inner_text("#cb-status") == "Showing all 3 case studies."


def test_back_button_walks_through_filter_changes(page, site):
    open_catalogue(page, site)
    check(page, "culture-shift")
    check(page, "scotland")
    assert visible_cards(page) == ["gamma-pilot"]
    page.go_back()
    expect(page.locator('input[value="scotland"]')).not_to_be_checked(timeout=WAIT)
    assert sorted(visible_cards(page)) == ["alpha-network", "gamma-pilot"]
    page.go_back()
    shown(page, 3)


def test_keyboard_only(page, site):
    open_catalogue(page, site)
    page.focus("#cb-text")
    page.keyboard.type("gamma")  # in one title, and in no other page's text
    shown(page, 1)
    # Tab from the text box to the first theme checkbox and tick it with the space bar.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.closest('details') ? document.activeElement.tagName : ''"
    )
    if focused == "SUMMARY":
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "themes"
    value = page.evaluate("document.activeElement.value")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Space")
    assert page.is_checked(f'input[value="{value}"]')
    assert f"themes={value}" in page.url
    status = page.get_attribute("#cb-status", "aria-live")
    assert status == "polite"


def test_no_filter_combination_hides_a_matching_case_study(page, site):
    records = site["records"]
    themes = sorted({t for r in records for t in r["themes"]})
    places = sorted({r["place"] for r in records})
    states = [dict(themes=list(c)) for n in (1, 2) for c in combinations(themes, n)]
    states += [dict(themes=list(c), place=[p]) for c in combinations(themes, 1) for p in places]
    states += [dict(principles=["citizen-agency"], focus=["people-sleeping-rough"])]
    for state in states:
        query = urlencode(
            [(facet, value) for facet, values in state.items() for value in values], doseq=True
        )
        open_catalogue(page, site, "?" + query)
        assert sorted(visible_cards(page)) == sorted(expected(records, **state)), state


def test_without_javascript_the_page_is_the_full_list(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site["url"] + "case_studies/")
    assert page.locator("#cb-filters").is_hidden()
    assert page.locator("[data-slug]").count() == len(site["records"])
    links = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert "../themes/" in links and "../principles/" in links
    context.close()


def axe_violations(page, screenshot: str) -> list:
    """WCAG 2.2 AA violations axe-core finds on the page; saves a screenshot as an artefact."""
    # Evaluated, not added as a <script>: the page's Content-Security-Policy refuses
    # inline scripts it does not list, and a test must not weaken it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    # From the top: mid-page, Material's sticky header lies over whatever has scrolled
    # under it, and axe's target-size rule counts that as a crowded target.
    page.evaluate("window.scrollTo(0, 0)")
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=True)
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


PAGES = {
    "home": "",
    "catalogue": "case_studies/",
    "catalogue-filtered": "case_studies/?themes=culture-shift&place=glasgow-city",
    "case-study": "case_studies/beta-connections/",
    "theme": "themes/collaborative-working/",
    "principle": "principles/citizen-agency/",
    "policy": "policy/test-act/",
    "self-assessment": "index/self-assessment/",
}


@pytest.mark.parametrize("name", [*PAGES, "search-results"])
def test_axe_finds_no_violations_and_a_screenshot_is_saved(page, site, name):
    if not AXE.is_file():
        browser_unavailable("axe-core is not installed (make test runs npm ci)")
    if name == "search-results":
        page.goto(site["url"])
        page.click("label.md-search__icon, .md-search__input", timeout=5000)
        page.locator(".md-search__input").press_sequentially("keyworker", delay=30)
        page.wait_for_selector(".md-search-result__item")
    else:
        page.goto(site["url"] + PAGES[name])
        if name.startswith("catalogue"):
            page.wait_for_selector("#cb-filters:not([hidden])")
    assert axe_violations(page, screenshot=name) == []


def open_assessment(page, site):
    page.goto(site["url"] + "index/self-assessment/")
    page.wait_for_selector("#cb-assessment-tools:not([hidden])")


def test_self_assessment_keeps_answers_in_this_browser_only(page, site):
    requests: list[tuple[str, str]] = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    open_assessment(page, site)
    page.check("#rating-citizen-agency-emerging")
    page.fill("#note-citizen-agency", "We ask people, but late.")
    assert page.inner_text("#cb-assessment-status") == "Saved in this browser."
    page.reload()
    page.wait_for_selector("#cb-assessment-tools:not([hidden])")
    assert page.is_checked("#rating-citizen-agency-emerging")
    assert page.input_value("#note-citizen-agency") == "We ask people, but late."
    assert all(method == "GET" for method, _ in requests)
    assert not any("We ask people" in url or "emerging" in url for _, url in requests)


def test_self_assessment_without_javascript_is_a_printable_questionnaire(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site["url"] + "index/self-assessment/")
    assert page.locator("#cb-assessment-tools").is_hidden()
    assert page.locator("fieldset.cb-rating").count() == 2
    assert page.locator("textarea").count() == 2
    assert "How do we put citizens first?" in page.inner_text("article")
    assert page.locator('a[href$="case_studies/beta-connections/"]').count() >= 1
    context.close()


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    """The project's own content, built and served like the fixture site."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("real-site")
    environment = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", CASEBOOK_SEARCH_INDEX_DIR=str(root / "index")
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    taxonomies, _ = load_taxonomies(ROOT / "content")
    from waitress import create_server

    server = create_server(
        SearchApp(root / "site", root / "index", taxonomies), host="127.0.0.1", port=0, threads=4
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.effective_port}/"}
    server.close()


REAL_PAGES = {
    "real-home": "",
    "real-catalogue": "case_studies/?themes=lived-experience",
    "real-case-study": "case_studies/city-ambition-network/",
    "real-theme": "themes/lived-experience/",
    "real-principle": "principles/citizen-agency/",
    "real-policy": "policy/integration-joint-boards/",
    "real-guide": "guides/journey-of-collaboration/",
    "real-place": "places/",
}


@pytest.mark.parametrize("name", REAL_PAGES)
def test_the_real_site_is_axe_clean(page, real_site, name):
    if not AXE.is_file():
        browser_unavailable("axe-core is not installed (make test runs npm ci)")
    page.goto(real_site["url"] + REAL_PAGES[name])
    if "catalogue" in name:
        page.wait_for_selector("#cb-filters:not([hidden])")
    assert axe_violations(page, screenshot=name) == []


def test_real_catalogue_filter_matches_the_export(page, real_site):
    page.goto(real_site["url"] + "case_studies/?place=glasgow-city")
    page.wait_for_selector("#cb-filters:not([hidden])")
    assert sorted(visible_cards(page)) == ["city-ambition-network", "fair-deal-and-sol"]


def test_text_filter_adds_full_text_matches_from_the_search_api(page, site):
    open_catalogue(page, site)
    page.fill("#cb-text", "formed")  # only in Alpha Network's body, not title or summary
    shown(page, 1)
    assert visible_cards(page) == ["alpha-network"]


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


def test_on_a_static_host_the_filters_work_without_the_api(page, static_site):
    open_catalogue(page, static_site, "?themes=culture-shift")
    assert sorted(visible_cards(page)) == ["alpha-network", "gamma-pilot"]
    page.fill("#cb-text", "formed")
    page.wait_for_selector("#cb-empty:not([hidden])")
    page.wait_for_timeout(300)  # the API probe fails quietly; nothing is revealed
    assert visible_cards(page) == []
    page.fill("#cb-text", "pilot")
    shown(page, 1)
    assert visible_cards(page) == ["gamma-pilot"]


# -- hostile content (issue 11) ---------------------------------------------------------
# A site built without --strict from every probe in tests/fixtures/hostile/: no dialog
# opens on any page or in Material's search results, no element carries an event
# handler, and the Content-Security-Policy, in force here, blocks nothing the site needs.

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
def watched(browser):
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
    page.goto(hostile_served["url"] + "case_studies/")
    page.wait_for_selector("#cb-filters:not([hidden])")  # the catalogue's script ran
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
