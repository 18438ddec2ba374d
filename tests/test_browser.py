"""Browser tests: Playwright driving Debian's Chromium against a built fixture site served
by the project's own WSGI app on loopback. Screenshots go to build/screenshots/."""

from __future__ import annotations

import threading
from itertools import combinations
from urllib.parse import urlencode

import pytest
from casebook.api import SearchApp
from casebook.content.taxonomy import load_taxonomies

from .conftest import AXE, ROOT, SCREENSHOTS, browser_unavailable, build_real_site

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
    page.wait_for_function("document.querySelectorAll('[data-slug]:not([hidden])').length === 2")
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
    page.wait_for_function("!document.querySelector('input[value=\"scotland\"]').checked")
    assert sorted(visible_cards(page)) == ["alpha-network", "gamma-pilot"]
    page.go_back()
    page.wait_for_function("document.querySelectorAll('[data-slug]:not([hidden])').length === 3")


def test_keyboard_only(page, site):
    open_catalogue(page, site)
    page.focus("#cb-text")
    page.keyboard.type("gamma")  # in one title, and in no other page's text
    page.wait_for_function("document.querySelectorAll('[data-slug]:not([hidden])').length === 1")
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
    page.add_script_tag(path=str(AXE))
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


def test_self_assessment_exports_and_imports_csv_and_clears(page, site, tmp_path):
    open_assessment(page, site)
    page.check("#rating-sharing-resources-embedded")
    page.fill("#note-sharing-resources", 'Shared office, "pooled" funds,\nand staff time')
    with page.expect_download() as download:
        page.click("#cb-export")
    exported = tmp_path / "answers.csv"
    download.value.save_as(exported)
    import csv as csv_module

    with exported.open(encoding="utf-8", newline="") as handle:
        rows = list(csv_module.DictReader(handle))
    assert [row["principle_slug"] for row in rows] == ["citizen-agency", "sharing-resources"]
    assert rows[1]["rating"] == "embedded"
    assert rows[1]["note"] == 'Shared office, "pooled" funds,\nand staff time'
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cb-clear-answers")
    assert not page.is_checked("#rating-sharing-resources-embedded")
    assert page.input_value("#note-sharing-resources") == ""
    page.set_input_files("#cb-import", str(exported))
    page.wait_for_function(
        "document.getElementById('cb-assessment-status').textContent.startsWith('Imported')"
    )
    assert page.is_checked("#rating-sharing-resources-embedded")
    assert "pooled" in page.input_value("#note-sharing-resources")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "principle_slug,rating,note\nnot-a-principle,emerging,x\ncitizen-agency,excellent,x\n",
        encoding="utf-8",
    )
    page.set_input_files("#cb-import", str(bad))
    page.wait_for_function(
        "document.getElementById('cb-assessment-status').textContent.includes('skipped 2')"
    )


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
    page.wait_for_function("document.querySelectorAll('[data-slug]:not([hidden])').length === 1")
    assert visible_cards(page) == ["alpha-network"]


def wait_for_cards(page, slugs: list[str]) -> None:
    page.wait_for_function(
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
    wait_for_cards(page, ["gamma-pilot"])
    page.fill("#cb-text", "formed nothingsuch")  # every word must match in a filter
    wait_for_cards(page, [])
    page.wait_for_timeout(300)  # the index's answer cannot reveal a card either
    assert visible_cards(page) == []
    assert [url for status, url in requests if status >= 400] == []
    assert not [url for _, url in requests if "/api/" in url]
    assert any("/pagefind/" in url for _, url in requests)
