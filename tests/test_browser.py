"""Browser tests: Playwright driving Debian's Chromium against a built fixture site served
by the project's own WSGI app on loopback. Screenshots go to build/screenshots/."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading

import pytest
from casebook.api import SearchApp
from casebook.content.taxonomy import load_taxonomies

from .conftest import AXE, ROOT, browser_unavailable, build_real_site, save_screenshot, wait_until
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
    wait_for_filters(page)


def wait_for_filters(page):
    # attached, not visible: on a phone the form is behind the "Filters" button
    page.wait_for_selector("#cb-tools:not([hidden])", state="attached")


def visible_cards(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-slug]", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.slug)"
    )


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
    assert visible_cards(page) == ["alpha-network", "gamma-pilot"]
    assert page.url.endswith("/case_studies/?themes=culture-shift")
    assert page.inner_text("#cb-status") == "Showing 2 of 3 case studies."


def test_reload_keeps_the_filter(page, site):
    open_catalogue(page, site, "?themes=lived-experience")
    assert page.is_checked('input[value="lived-experience"]')
    assert visible_cards(page) == ["beta-connections"]
    page.reload()
    wait_for_filters(page)
    assert visible_cards(page) == ["beta-connections"]


def test_two_facets_and_across_or_within(page, site):
    open_catalogue(page, site)
    check(page, "culture-shift")
    check(page, "lived-experience")
    assert len(visible_cards(page)) == 3  # OR within themes
    check(page, "glasgow-city")
    assert visible_cards(page) == ["alpha-network"]
    # values appear in the form's order (the taxonomy's), whatever order they were ticked in
    assert "?themes=lived-experience&themes=culture-shift&place=glasgow-city" in page.url
    counts = page.inner_text('label[for="cb-place-inverclyde"]')
    # ticking Inverclyde too would show Alpha (Glasgow) and Beta (Inverclyde)
    assert counts.endswith("(2)")


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


def test_one_history_entry_per_filter_session(page, site):
    open_catalogue(page, site)
    check(page, "culture-shift")
    check(page, "scotland")
    assert visible_cards(page) == ["gamma-pilot"]
    assert page.url.endswith("?themes=culture-shift&place=scotland")
    page.go_back()  # one Back leaves the whole session of changes
    shown(page, 3)
    assert not page.is_checked('input[value="culture-shift"]')
    assert page.url.endswith("/case_studies/")


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
    assert page.evaluate("document.activeElement.name") == "themes_op"  # any of / all of
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "themes"
    # Options that would show nothing are disabled, so the first stop is one that would not.
    assert page.evaluate("document.activeElement.value") == "culture-shift"
    value = page.evaluate("document.activeElement.value")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Space")
    assert page.is_checked(f'input[value="{value}"]')
    assert f"themes={value}" in page.url
    status = page.get_attribute("#cb-status", "aria-live")
    assert status == "polite"


# Query -> the cards it shows, worked out by hand from tests/fixtures/content: Alpha
# (Glasgow; collaborative-working, culture-shift; sharing-resources; people sleeping rough),
# Beta (Inverclyde; collaborative-working, lived-experience; citizen-agency,
# sharing-resources), Gamma (Scotland; culture-shift; citizen-agency).
FILTER_CASES = {
    "themes=collaborative-working": ["alpha-network", "beta-connections"],
    "themes=culture-shift&themes=lived-experience": [
        "alpha-network",
        "beta-connections",
        "gamma-pilot",
    ],
    "themes=culture-shift&themes=collaborative-working&themes_op=all": ["alpha-network"],
    "themes=culture-shift&themes=lived-experience&themes_op=all": [],
    "principles=citizen-agency&principles=sharing-resources&principles_op=all": [
        "beta-connections"
    ],
    "principles=citizen-agency": ["beta-connections", "gamma-pilot"],
    "themes=culture-shift&place=scotland": ["gamma-pilot"],
    "themes=lived-experience&place=glasgow-city": [],
    "place=glasgow-city&place=inverclyde": ["alpha-network", "beta-connections"],
    "principles=citizen-agency&focus=people-sleeping-rough": [],
    "focus=people-sleeping-rough": ["alpha-network"],
    "text=shared+partner&themes=culture-shift": ["alpha-network"],
    "started=2015": ["alpha-network"],  # only Alpha gives a start year
}


@pytest.mark.parametrize("query", FILTER_CASES)
def test_filters_show_exactly_the_matching_cards(page, site, query):
    open_catalogue(page, site, "?" + query)
    assert visible_cards(page) == FILTER_CASES[query]
    assert page.url.endswith("?" + query)  # the URL the page was opened with is kept


def counts(page, facet: str) -> dict[str, tuple[str, bool]]:
    """Each option of a facet: its count as shown, and whether it is disabled."""
    return {
        box.get_attribute("value"): (
            box.evaluate("b => b.parentNode.querySelector('[data-count]').textContent"),
            box.is_disabled(),
        )
        for box in page.locator(f'#cb-filters input[name="{facet}"]').all()
    }


def test_counts_say_what_ticking_would_give_and_zero_options_are_disabled(page, site):
    open_catalogue(page, site, "?themes=lived-experience")
    assert counts(page, "themes") == {
        "collaborative-working": ("(2)", False),  # Beta, plus Alpha
        "lived-experience": ("(1)", False),  # ticked: Beta
        "culture-shift": ("(3)", False),  # Beta, plus Alpha and Gamma
    }
    assert counts(page, "place") == {
        "glasgow-city": ("(0)", True),
        "inverclyde": ("(1)", False),
        "scotland": ("(0)", True),
    }
    page.select_option("#cb-themes-op", "all")
    assert page.url.endswith("?themes=lived-experience&themes_op=all")
    assert counts(page, "themes") == {
        "collaborative-working": ("(1)", False),  # Beta has both
        "lived-experience": ("(1)", False),
        "culture-shift": ("(0)", True),
    }


def test_unknown_values_in_the_address_get_a_visible_notice(page, site):
    open_catalogue(page, site, "?themes=nonsense&themes=culture-shift&sort=sideways")
    assert page.is_visible("#cb-notice")
    assert page.inner_text("#cb-notice") == (
        "Not understood in this address, so left out: themes=nonsense, sort=sideways."
    )
    assert visible_cards(page) == ["alpha-network", "gamma-pilot"]
    open_catalogue(page, site, "?themes=culture-shift")
    assert page.is_hidden("#cb-notice")


def test_zero_results_name_the_filters_to_remove(page, site):
    open_catalogue(page, site, "?themes=lived-experience&place=glasgow-city")
    assert visible_cards(page) == []
    assert page.is_visible("#cb-empty")
    buttons = page.locator("#cb-empty-remove button")
    assert buttons.all_inner_texts() == [
        "Theme: Community and lived experience involvement (then 1 case study) \u00d7",
        "Place: Glasgow City (then 1 case study) \u00d7",
    ]
    buttons.nth(1).click()
    assert visible_cards(page) == ["beta-connections"]
    assert page.url.endswith("?themes=lived-experience")
    assert page.is_hidden("#cb-empty")


def test_chips_show_each_selection_and_remove_it(page, site):
    open_catalogue(page, site, "?themes=culture-shift&place=scotland&text=pilot")
    chips = page.locator("#cb-chips button")
    assert chips.all_inner_texts() == [
        "Theme: Culture shift \u00d7",
        "Place: Scotland (national or several areas) \u00d7",
        "Text: \u201cpilot\u201d \u00d7",
    ]
    assert page.get_attribute("#cb-chips button >> nth=0", "aria-label") == (
        "Remove Theme: Culture shift"
    )
    chips.nth(1).click()
    assert page.url.endswith("?themes=culture-shift&text=pilot")
    assert page.evaluate("document.activeElement.id") == "cb-results"
    assert page.inner_text("#cb-status") == "Showing 1 of 3 case studies."
    assert page.locator("#cb-chips button").count() == 2


def test_sort_orders_the_cards_and_is_kept_in_the_url(page, site):
    open_catalogue(page, site)
    page.select_option("#cb-sort", "newest")
    assert visible_cards(page) == ["beta-connections", "alpha-network", "gamma-pilot"]
    assert page.url.endswith("?sort=newest")
    open_catalogue(page, site, "?sort=started")
    assert visible_cards(page) == ["alpha-network", "beta-connections", "gamma-pilot"]
    page.select_option("#cb-sort", "title")
    assert page.url.endswith("/case_studies/")


def test_download_is_exactly_the_shown_results_with_labels(page, site, tmp_path):
    import csv as csv_module

    open_catalogue(page, site, "?themes=culture-shift&sort=newest")
    with page.expect_download() as download:
        page.click("#cb-download-csv")
    path = tmp_path / "results.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read UTF-8
    rows = list(csv_module.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [row["title"] for row in rows] == ["Alpha Network", "Gamma Pilot"]
    assert rows[0]["url"] == site["url"] + "case_studies/alpha-network/"
    assert rows[0]["place"] == "Glasgow City"
    assert rows[0]["themes"] == "Collaborative working; Culture shift"
    assert rows[0]["partners"] == "Alpha Trust; Shared Partner"
    assert rows[1]["place"] == "Scotland (national or several areas)"
    with page.expect_download() as download:
        page.click("#cb-download-json")
    records = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [r["title"] for r in records] == ["Alpha Network", "Gamma Pilot"]
    assert records[0]["started"] == 2015 and records[0]["published"] == "2026-11-01"


def first_card_top(page) -> float:
    return page.locator("[data-slug]:not([hidden])").first.bounding_box()["y"]


def test_desktop_results_first_with_the_filters_beside_them(page, site):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_catalogue(page, site)
    assert first_card_top(page) < 900  # visible without scrolling
    facets = page.locator("#cb-facets").bounding_box()
    cards = page.locator("#cb-cards").bounding_box()
    assert facets["x"] + facets["width"] <= cards["x"]  # a sidebar to the left
    assert page.is_hidden("#cb-filters-toggle")
    assert page.is_hidden(".md-sidebar--primary")  # the nav column gives way to the filters


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def test_phone_results_first_filters_behind_a_button(phone, site):
    open_catalogue(phone, site)
    assert first_card_top(phone) < 812
    assert phone.is_hidden("#cb-facets")
    assert phone.inner_text("#cb-filters-toggle") == "Filters"
    phone.tap("#cb-filters-toggle")
    assert phone.get_attribute("#cb-filters-toggle", "aria-expanded") == "true"
    box = phone.locator('input[value="culture-shift"]')
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.2 target size
    box.tap()
    assert phone.inner_text("#cb-status") == "Showing 2 of 3 case studies."
    assert phone.inner_text("#cb-filters-toggle") == "Filters (1)"
    assert phone.inner_text("#cb-show-results") == "Show 2 case studies"
    phone.tap("#cb-show-results")
    assert phone.is_hidden("#cb-facets")
    assert phone.evaluate("document.activeElement.id") == "cb-results"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing overflows sideways


def test_no_sideways_overflow_at_320_px(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ("case_studies/", "places/", "case_studies/beta-connections/"):
        page.goto(site["url"] + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()


def test_case_study_breadcrumbs_and_back_to_filtered_results(page, site):
    open_catalogue(page, site, "?themes=culture-shift")
    page.click('[data-slug="gamma-pilot"] h3 a')
    page.wait_for_url("**/case_studies/gamma-pilot/")
    crumbs = page.locator(".cb-breadcrumbs li").all_inner_texts()
    assert [c.strip(" ›") for c in crumbs] == ["Home", "Case studies", "Gamma Pilot"]
    back = page.locator("#cb-back")
    assert back.is_visible()
    back.click()
    wait_for_filters(page)
    assert page.url.endswith("/case_studies/?themes=culture-shift")
    assert visible_cards(page) == ["alpha-network", "gamma-pilot"]
    page.goto(site["url"] + "case_studies/gamma-pilot/")  # not from the results: no link
    assert page.locator("#cb-back").is_hidden()


def test_term_and_policy_pages_have_breadcrumbs_and_link_the_filtered_catalogue(page, site):
    page.goto(site["url"] + "policy/test-act/")
    assert page.locator(".cb-breadcrumbs a").all_inner_texts() == ["Home", "Policy"]
    page.goto(site["url"] + "themes/culture-shift/")
    assert page.locator(".cb-breadcrumbs a").all_inner_texts() == ["Home", "Themes"]
    page.click("text=Filter the catalogue by Culture shift")
    wait_for_filters(page)
    assert page.url.endswith("/case_studies/?themes=culture-shift")
    assert visible_cards(page) == ["alpha-network", "gamma-pilot"]


def test_places_tile_map_has_every_council_area(page, site):
    page.goto(site["url"] + "places/")
    assert page.locator(".cb-map .cb-tile").count() == 32
    linked = page.locator(".cb-map a.cb-tile")
    assert [a.get_attribute("aria-label") for a in linked.all()] == [
        "IVC 1 case study: Inverclyde",
        "GLG 1 case study: Glasgow City",
    ]
    assert page.locator('.cb-map g[aria-label="Fife: no case studies yet"]').count() == 1
    items = page.locator(".cb-map__list li").all_inner_texts()
    assert len(items) == 32 and "Fife: no case studies yet" in items
    linked.nth(1).click()
    page.wait_for_url("**/places/glasgow-city/")


def test_identity_footer_titles_and_social_metadata(page, site):
    page.goto(site["url"] + "case_studies/beta-connections/")
    assert page.title() == "Beta Connections - Casebook"
    summary = "A test collaboration in Inverclyde connecting people to community activities."
    assert page.get_attribute('meta[name="description"]', "content") == summary
    assert page.get_attribute('meta[property="og:description"]', "content") == summary
    assert page.get_attribute('meta[property="og:title"]', "content") == "Beta Connections"
    assert page.get_attribute('meta[name="twitter:card"]', "content") == "summary"
    footer = page.inner_text("footer")
    # the fixture site has no About page: the footer says so rather than link nowhere
    assert "Content licence: not stated." in footer and "Code licence: MIT." in footer
    assert "Last built " in footer
    page.goto(site["url"])
    assert page.title() == "Casebook"


def test_not_found_page_offers_search_and_browsing(page, site):
    page.goto(site["url"] + "404.html")
    assert page.inner_text("h1") == "Page not found"
    page.fill("#cb-404-search", "pilot")
    page.press("#cb-404-search", "Enter")
    wait_for_filters(page)
    assert visible_cards(page) == ["gamma-pilot"]


def test_skip_link_lands_above_the_summary_and_no_invisible_tab_stops(page, site):
    page.goto(site["url"] + "case_studies/beta-connections/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "cb-top"
    page.goto(site["url"] + "case_studies/")
    stops = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])'))
            .filter(e => !e.disabled && e.tabIndex >= 0)
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.width === 0 || r.height === 0; })
            .filter(e => getComputedStyle(e).visibility !== 'hidden' && e.offsetParent !== null)
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert stops == []


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
    """WCAG 2.2 A/AA and best-practice violations axe-core finds on the page; saves a
    screenshot as an artefact."""
    # Evaluated, not added as a <script>: the page's Content-Security-Policy refuses
    # inline scripts it does not list, and a test must not weaken it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    # From the top: mid-page, Material's sticky header lies over whatever has scrolled
    # under it, and axe's target-size rule counts that as a crowded target.
    page.evaluate("window.scrollTo(0, 0)")
    # Back at the top, Material fades the site's name in over 150 ms; axe measuring
    # contrast mid-fade sees a pale title. Wait until the fade is over.
    wait_until(
        page,
        "(() => { const topic = document.querySelector('.md-header__topic');"
        " return !topic || getComputedStyle(topic).opacity === '1'; })()",
    )
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
    )
    save_screenshot(page, screenshot)
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


PAGES = {
    "home": "",
    "catalogue": "case_studies/",
    "catalogue-filtered": "case_studies/?themes=culture-shift&place=glasgow-city",
    "catalogue-empty": "case_studies/?themes=lived-experience&place=glasgow-city",
    "case-study": "case_studies/beta-connections/",
    "theme": "themes/collaborative-working/",
    "principle": "principles/citizen-agency/",
    "policy": "policy/test-act/",
    "self-assessment": "index/self-assessment/",
    "places": "places/",
    "place": "places/glasgow-city/",
    "not-found": "404.html",
}
WIDTHS = {"desktop": (1440, 900), "phone": (375, 812)}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [*PAGES, "search-results", "catalogue-filters-open"])
def test_axe_finds_no_violations_and_a_screenshot_is_saved(page, site, name, width):
    if not AXE.is_file():
        browser_unavailable("axe-core is not installed (make test runs npm ci)")
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    name_width = f"{name}-{width}"
    if name == "catalogue-filters-open":
        open_catalogue(page, site, "?themes=culture-shift")
        if width == "phone":
            page.click("#cb-filters-toggle")
    elif name == "search-results":
        page.goto(site["url"])
        page.click('label[for="__search"]:visible, .md-search__input:visible', timeout=5000)
        page.locator(".md-search__input").press_sequentially("keyworker", delay=30)
        page.wait_for_selector(".md-search-result__item")
    else:
        page.goto(site["url"] + PAGES[name])
        if name.startswith("catalogue"):
            wait_for_filters(page)
    assert axe_violations(page, screenshot=name_width) == []


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
    root = tmp_path_factory.mktemp("real-site")
    build_real_site(root)
    taxonomies, _ = load_taxonomies(ROOT / "content")
    from .conftest import serving

    with serving(SearchApp(root / "site", root / "index", taxonomies)) as url:
        yield {"url": url}


REAL_PAGES = {
    "real-home": "",
    "real-catalogue": "case_studies/?themes=lived-experience",
    "real-case-study": "case_studies/city-ambition-network/",
    "real-theme": "themes/lived-experience/",
    "real-principle": "principles/citizen-agency/",
    "real-policy": "policy/integration-joint-boards/",
    "real-guide": "guides/journey-of-collaboration/",
    "real-place": "places/",
    "real-place-page": "places/glasgow-city/",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", REAL_PAGES)
def test_the_real_site_is_axe_clean(page, real_site, name, width):
    if not AXE.is_file():
        browser_unavailable("axe-core is not installed (make test runs npm ci)")
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(real_site["url"] + REAL_PAGES[name])
    if "catalogue" in name:
        wait_for_filters(page)
    violations = axe_violations(page, screenshot=f"{name}-{width}")
    assert violations == [], violations


def test_real_catalogue_filter_matches_the_export(page, real_site):
    page.goto(real_site["url"] + "case_studies/?place=glasgow-city")
    wait_for_filters(page)
    assert sorted(visible_cards(page)) == ["city-ambition-network", "fair-deal-and-sol"]


def test_under_casebook_serve_the_text_box_finds_body_text_too(page, site):
    """The same static index answers under `casebook serve` (the site fixture) as on a
    static host: the catalogue never depends on /api/search."""
    open_catalogue(page, site)
    page.fill("#cb-text", "formed")  # only in Alpha Network's body, not title or summary
    shown(page, 1)
    assert visible_cards(page) == ["alpha-network"]


def wait_for_cards(page, slugs: list[str]) -> None:
    wait_until(
        page,
        "want => JSON.stringify(Array.from(document.querySelectorAll('[data-slug]'))"
        ".filter(c => !c.hidden).map(c => c.dataset.slug).sort()) === JSON.stringify(want)",
        arg=sorted(slugs),
    )


def test_on_a_static_host_the_text_box_finds_body_text_and_nothing_404s(page, static_site):
    requests: list[tuple[int, str]] = []
    page.on("response", lambda response: requests.append((response.status, response.url)))
    open_catalogue(page, static_site, "?themes=culture-shift")
    assert sorted(visible_cards(page)) == ["alpha-network", "gamma-pilot"]
    page.fill("#cb-text", "formed")  # only in Alpha Network's body: the static index has it
    wait_for_cards(page, ["alpha-network"])
    page.fill("#cb-text", "pilot")
    wait_for_cards(page, ["gamma-pilot"])  # not shown(page, 1): "formed" showed one too


def test_cite_button_copies_the_citation_and_says_so(browser, static_site):
    context = browser.new_context()
    origin = static_site["url"].rstrip("/")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.set_default_timeout(5000)
    page.goto(static_site["url"] + "case_studies/beta-connections/")
    button = page.get_by_role("button", name="Copy citation")
    button.click()
    # The page says so once the clipboard has taken the text (a promise), not at the click.
    expect(page.locator(".cb-cite-status")).to_have_text("Citation copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.inner_text("#cb-cite-text").strip()
    assert copied.startswith("Casebook. (") and "Beta Connections [Case study]." in copied
    assert "127.0.0.1" not in copied  # the fixture site is built with the loopback default
    context.close()


def test_cite_downloads_are_linked_and_fetchable_from_a_static_host(page, static_site):
    page.goto(static_site["url"] + "case_studies/beta-connections/")
    links = page.locator(".cb-cite-downloads a")
    assert links.all_inner_texts() == ["BibTeX", "RIS", "CSL-JSON"]
    starts = ["@misc{casebook-beta-connections,", "TY  - ELEC", "["]
    for link, start in zip(links.all(), starts, strict=True):
        url = page.evaluate("href => new URL(href, location.href).href", link.get_attribute("href"))
        response = page.request.get(url)
        assert response.ok, url
        assert response.text().startswith(start)


def test_without_javascript_the_citation_is_text_and_no_dead_button(browser, static_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(static_site["url"] + "case_studies/beta-connections/")
    assert page.locator(".cb-cite-copy").is_hidden()
    assert "Beta Connections [Case study]." in page.inner_text("#cb-cite-text")
    context.close()


def test_real_footer_links_to_about_for_the_content_licence(page, real_site):
    page.goto(real_site["url"] + "case_studies/")
    link = page.locator("footer a", has_text="About")
    assert link.get_attribute("href") == "../about/"
    assert "Code licence: MIT." in page.inner_text("footer")


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
    page.goto(hostile_served["url"] + "case_studies/")  # waits for the load event
    # the catalogue's script has loaded its data and applied it: the last thing it does
    expect(page.locator("#cb-status")).to_have_text(re.compile(r"^Showing all \d+ case studies\.$"))
    assert seen["dialogs"] == []
    assert seen["csp"] == []  # the theme's and the site's own scripts all ran
    assert seen["errors"] == []


def test_no_dialog_fires_in_the_search_results(watched, hostile_served):
    page, seen = watched
    page.goto(hostile_served["url"])
    search = page.locator("input.md-search__input")  # in the header at this width
    search.click()
    search.press_sequentially("Probe", delay=50)  # Material searches on key events
    # The header search draws results from the static index (assets/casebook/search.js)
    expect(page.locator(".md-search-result__item .cb-result__title").first).to_be_visible(
        timeout=WAIT
    )
    # the search for the whole word has drawn all its results (one run draws them all)
    expect(page.locator("#cb-header-search-status")).to_have_text(
        re.compile(r"^\d+ pages? found for \u201cProbe\u201d\.$")
    )
    titles = page.locator(".md-search-result__item .cb-result__title")
    text = " ".join(titles.all_inner_texts())
    assert "Probe <img src=x onerror=alert('case-title')>" in text  # shown, as text
    assert page.evaluate(EVENT_ELEMENTS) == 0
    assert seen["dialogs"] == [] and seen["csp"] == [] and seen["errors"] == []
