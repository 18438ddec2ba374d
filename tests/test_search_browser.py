"""The reader's search in Chromium, on a plain static file server (no search API): the
header dialog, the /search/ page, the catalogue's text box, the relevance suite and the
word families against the static (Pagefind) index, agreement with `casebook search`,
escaping, keyboard use and axe."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading

import pytest
from casebook.search.static_index import write_bundle
from casebook.search.whoosh_index import SearchDocument, documents_vocabulary

from .conftest import AXE, browser_unavailable, save_screenshot, wait_until
from .search_data import FAMILIES, RELEVANCE, family_documents
from .test_search_quality import failures, whoosh_answers

pytestmark = pytest.mark.browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve_static(directory):
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def real_static(real_build):
    with serve_static(real_build["site"]) as url:
        yield url


# One query as a reader runs it: the top three pages, and for a misspelt query the
# correction offered and the top three pages of the corrected query.
RUN_QUERY = """async (q) => {
  const first = await window.casebookSearch(q.query);
  let found = first;
  if (q.suggestion) found = await window.casebookSearch(first.suggestion || q.query);
  const top = await Promise.all(found.results.slice(0, 3).map(r => r.data()));
  return {suggestion: first.suggestion, top: top.map(d => d.url.replace(/^\\//, ""))};
}"""


def static_answers(page, url: str) -> dict[str, dict]:
    page.goto(url)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    return {case["query"]: page.evaluate(RUN_QUERY, case) for case in RELEVANCE}


def test_the_static_index_passes_the_relevance_suite_and_agrees_with_whoosh(
    page, real_static, real_build, capsys
):
    static = static_answers(page, real_static)
    assert failures(static) == []
    whoosh = whoosh_answers(real_build["index"], capsys)
    same_top = [q for q in static if static[q]["top"][:1] == whoosh[q]["top"][:1]]
    assert len(same_top) / len(RELEVANCE) >= 0.9, {
        q: (static[q]["top"][:1], whoosh[q]["top"][:1]) for q in static if q not in same_top
    }
    assert {q: a["suggestion"] for q, a in static.items()} == {
        q: a["suggestion"] for q, a in whoosh.items()
    }


@pytest.fixture(scope="session")
def family_site(site, tmp_path_factory):
    """The fixture site with its static index replaced by the word-family pages."""
    root = tmp_path_factory.mktemp("families") / "site"
    shutil.copytree(site["dir"], root)
    documents = family_documents()
    write_bundle(documents, root / "pagefind", documents_vocabulary(documents))
    with serve_static(root) as url:
        yield url


def test_the_static_index_finds_every_word_family(page, family_site):
    assert len(FAMILIES) >= 20
    page.goto(family_site)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    found = page.evaluate(
        """async (queries) => {
          const out = [];
          for (const q of queries) {
            const f = await window.casebookSearch(q);
            out.push((await Promise.all(f.results.map(r => r.data()))).map(d => d.url));
          }
          return out;
        }""",
        [query for _, query in FAMILIES],
    )
    missed = [
        (FAMILIES[n], urls)
        for n, urls in enumerate(found)
        if urls != [f"/case_studies/family-{n}/"]
    ]
    assert missed == []


def stem_document(slug: str, title: str, body: str) -> SearchDocument:
    return SearchDocument(
        key=f"case_studies/{slug}.md",
        slug=slug,
        url=f"case_studies/{slug}/",
        kind="case_study",
        title=title,
        summary="",
        headings="",
        body=body,
        facets={},
    )


@pytest.fixture(scope="session")
def stem_site(site, tmp_path_factory):
    """A static index where "designation" shares its stem ("design") with a much shorter
    word, and the page that ranks first holds only the shorter word; and where a misspelt
    "accountability" falls back to the stem "account"."""
    root = tmp_path_factory.mktemp("stems") / "site"
    shutil.copytree(site["dir"], root)
    documents = [
        stem_document("service-design", "Service design", "design " * 5 + "the team met weekly"),
        stem_document("designation", "Hospice", "the hospice designation came in spring"),
        stem_document("accounts", "Board", "accountability for the accounts"),
    ] + [stem_document(f"filler-{n}", f"Filler {n}", "the team met weekly") for n in range(8)]
    write_bundle(documents, root / "pagefind", documents_vocabulary(documents))
    with serve_static(root) as url:
        yield url


@pytest.mark.parametrize("query", ["designation", "hospice designation"])
def test_a_word_is_known_when_the_first_page_holds_a_shorter_word_of_its_stem(
    page, stem_site, query
):
    """Pagefind also matches the longest indexed word a missing word begins with ("in"
    for "invercylde"); a match on a much shorter word must not count, unless that word
    is the query word's own stem, as "design" is of "designation"."""
    page.goto(stem_site)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    found = page.evaluate(
        """async (q) => {
          const f = await window.casebookSearch(q);
          const urls = (await Promise.all(f.results.map(r => r.data()))).map(d => d.url);
          return {unknown: f.unknown, suggestion: f.suggestion, urls: urls};
        }""",
        query,
    )
    assert found["unknown"] == [] and found["suggestion"] is None
    assert "/case_studies/designation/" in found["urls"]


def test_a_misspelt_word_is_offered_its_correction_not_pages_of_its_stem(page, stem_site):
    """Pagefind answers "accountjbility" with the pages of its longest indexed prefix, the
    stem "account" (pages with "accountability", "accounts"); the reader is offered the
    correction instead, as `casebook search` offers it."""
    page.goto(stem_site)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    found = page.evaluate(
        """async () => {
          const f = await window.casebookSearch("accountjbility");
          return {total: f.total, unknown: f.unknown, suggestion: f.suggestion};
        }"""
    )
    assert found == {"total": 0, "unknown": ["accountjbility"], "suggestion": "accountability"}


@pytest.mark.parametrize(
    ("query", "shown", "fetched"),
    [("collaborative leadership", 8, 8), ("care", 8, 8), ("accountjbility", 0, 1)],
)
def test_a_header_query_fetches_the_pages_it_shows_and_no_others(
    page, real_static, query, shown, fetched
):
    """Each result's data is a file (its Pagefind fragment): a query fetches those of the
    eight results the header shows, during the search, and no page only to check a word;
    a misspelt word is checked on one page, and its query's results are not fetched."""
    page.goto(real_static)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    fragments: list[str] = []
    page.on("request", lambda r: fragments.append(r.url) if "/fragment/" in r.url else None)
    listed = page.evaluate(
        """async (q) => {
          const f = await window.casebookSearch(q);
          return (await Promise.all(f.results.slice(0, 8).map(r => r.data()))).length;
        }""",
        query,
    )
    page.wait_for_timeout(300)  # a request still to come would be counted
    assert (listed, len(fragments)) == (shown, fetched)


def test_a_result_keeps_its_data_after_the_engine_forgets_what_it_returned(page, real_static):
    """Pagefind's worker drops a result's data when the result object it handed over is
    garbage-collected; the search page reads later pages of results long after."""
    page.goto(real_static)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    page.evaluate(
        """async () => {
          window.found = await window.casebookSearch("care");
        }"""
    )
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.collectGarbage")
    page.wait_for_timeout(200)  # the worker hears of the collected objects
    urls = page.evaluate(
        """async () => (await Promise.all(window.found.results.slice(0, 12)
          .map(r => r.data()))).map(d => d && d.url)"""
    )
    assert len(urls) == 12 and all(urls)


HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="session")
def hostile_site(site, tmp_path_factory):
    """The fixture site whose static index also holds a page whose title and body carry
    markup, as a hostile contributor might write them."""
    root = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(site["dir"], root)
    hostile = SearchDocument(
        key="case_studies/hostile.md",
        slug="hostile",
        url="case_studies/hostile/",
        kind="case_study",
        title=f"Zanzibar {HOSTILE}",
        summary="",
        headings="",
        body=f"zanzibar {HOSTILE} <script>window.pwned=2</script> text",
        facets={},
    )
    write_bundle([hostile], root / "pagefind", documents_vocabulary([hostile]))
    with serve_static(root) as url:
        yield url


def test_titles_and_snippets_are_text_never_markup(page, hostile_site):
    page.goto(hostile_site + "search/?q=zanzibar")
    page.wait_for_selector("#cb-search-page-results .cb-result")
    result = page.locator("#cb-search-page-results .cb-result").first
    assert HOSTILE in result.locator(".cb-result__title").inner_text()
    assert result.locator("img, script").count() == 0
    assert result.locator(".cb-result__excerpt mark").count() >= 1
    assert page.evaluate("window.pwned") is None


def axe_violations(page, screenshot: str, within: str) -> list:
    """axe-core's WCAG 2.2 AA and best-practice rules on the search's own markup (Material's
    page furniture is checked by test_browser.py), with a screenshot as an artefact."""
    if not AXE.is_file():
        browser_unavailable("axe-core is not installed (make test runs npm ci)")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script>: the CSP refuses one
    result = page.evaluate(
        "within => axe.run({include: [within]}, {runOnly: {type: 'tag', values: ['wcag2a', "
        "'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})",
        within,
    )
    save_screenshot(page, screenshot)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_header_search_by_keyboard_finds_body_text_and_announces_the_count(page, real_static):
    page.goto(real_static + "case_studies/city-ambition-network/")
    dialog = page.locator("#cb-header-search")
    assert dialog.get_attribute("role") == "dialog"
    assert dialog.get_attribute("aria-label") == "Search the site"
    page.keyboard.press("/")  # Material's shortcut
    query = page.locator("#cb-header-search-query")
    assert query.evaluate("el => el === document.activeElement")
    page.keyboard.type("peer support")
    wait_until(
        page,
        "document.getElementById('cb-header-search-status').textContent"
        ".includes('found for “peer support”')",
    )
    status = page.locator("#cb-header-search-status")
    assert status.get_attribute("role") == "status"
    first = page.locator("#cb-header-search-results .cb-result").first
    assert "Making Recovery Real" in first.inner_text()
    assert first.locator("mark").count() >= 1  # the matched words are highlighted
    page.keyboard.press("ArrowDown")
    assert first.evaluate("el => el === document.activeElement")
    assert axe_violations(page, "search-header-open", "#cb-header-search") == []
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()


def test_a_desktop_reader_who_clicks_the_header_field_sees_the_results(page, real_static):
    """On a wide screen there is no search button: the field sits in the header, and
    its results must open when the reader clicks into it and types."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(real_static)
    page.click("#cb-header-search-query")
    page.keyboard.type("peer support")
    wait_until(
        page,
        "document.getElementById('cb-header-search-status').textContent"
        ".includes('found for “peer support”')",
    )
    assert page.locator("#__search").is_checked()
    output = page.locator(".md-search__output").bounding_box()
    assert output is not None and output["height"] > 100
    first = page.locator("#cb-header-search-results .cb-result").first
    assert first.is_visible() and "Making Recovery Real" in first.inner_text()


def test_header_search_offers_a_correction_that_runs_the_corrected_query(page, real_static):
    page.goto(real_static)
    page.keyboard.press("s")
    page.fill("#cb-header-search-query", "Invercylde")
    suggestion = page.locator("#cb-header-search-suggestion a")
    suggestion.wait_for()
    assert suggestion.inner_text() == "inverclyde"
    suggestion.click()
    page.wait_for_selector("#cb-header-search-results .cb-result")
    assert page.locator("#cb-header-search-query").input_value() == "inverclyde"
    first = page.locator("#cb-header-search-results .cb-result").first
    assert "Inverclyde Connections" in first.inner_text()


def test_the_search_page_keeps_query_and_filters_in_the_url_with_counts(page, real_static):
    page.goto(real_static + "search/?q=lived+experience")
    page.wait_for_selector("#cb-search-page-results .cb-result")
    all_results = page.locator("#cb-search-page-results .cb-result").count()
    box = page.locator('#cb-search-facets input[value="lived-experience"]')
    count = box.locator("xpath=..").locator("[data-count]").text_content()
    assert count.startswith("(") and int(count.strip("()")) >= 1
    box.locator("xpath=ancestor::details/summary").click()
    box.check()
    page.wait_for_url("**/search/?q=lived+experience&themes=lived-experience")
    wait_until(
        page,
        "n => document.querySelectorAll('#cb-search-page-results .cb-result').length === n",
        arg=int(count.strip("()")),
    )
    assert int(count.strip("()")) <= all_results
    titles = page.locator("#cb-search-page-results .cb-result__kind").all_inner_texts()
    assert set(titles) == {"Case study"}  # only case studies carry themes
    page.reload()
    page.wait_for_selector("#cb-search-page-results .cb-result")
    assert page.locator('#cb-search-facets input[value="lived-experience"]').is_checked()
    assert axe_violations(page, "search-page", ".md-content") == []


def test_the_search_page_labels_its_any_word_fallback(page, real_static):
    page.goto(real_static + "search/?q=keyworker+Penumbra")
    page.wait_for_selector("#cb-search-page-results .cb-result")
    status = page.locator("#cb-search-page-status").inner_text()
    assert "No page has all the words; showing pages with any of them." in status
    titles = page.locator("#cb-search-page-results .cb-result__title").all_inner_texts()
    assert {"City Ambition Network", "Making Recovery Real, Dundee"} <= set(titles)


def test_case_studies_and_policy_come_before_other_pages(page, real_static):
    page.goto(real_static)
    wait_until(page, "typeof window.casebookSearch === 'function'")
    kinds = page.evaluate(
        """async () => {
          const f = await window.casebookSearch("collaboration");
          return (await Promise.all(f.results.map(r => r.data()))).map(d => d.meta.kind);
        }"""
    )
    first_other = next(i for i, kind in enumerate(kinds) if kind not in ("case_study", "policy"))
    assert set(kinds[:first_other]) <= {"case_study", "policy"} and first_other > 0
    assert set(kinds[first_other:]) <= {"guide", "page", "term"}


def test_without_javascript_search_says_what_it_needs(browser, real_static):
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    no_js.goto(real_static + "search/?q=keyworker")
    message = no_js.locator("#cb-search-nojs")
    assert message.is_visible()
    assert "Searching needs JavaScript" in message.inner_text()
    links = message.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "../case_studies/" in links and "../themes/" in links
    assert not no_js.locator("#cb-search-page-results .cb-result").count()  # shows nothing
    context.close()


def test_the_catalogue_finds_tag_labels_and_body_text(page, real_static):
    page.goto(real_static + "case_studies/")
    page.wait_for_selector("#cb-filters:not([hidden])")
    # the case studies tagged with the theme, read from content/case_studies by hand
    themed = ["fair-deal-and-sol", "inverclyde-connections", "making-recovery-real-dundee"]
    page.fill("#cb-text", "community and lived experience involvement")  # the theme's label
    wait_until(
        page,
        "n => document.querySelectorAll('[data-slug]:not([hidden])').length === n",
        arg=len(themed),
    )
    visible = page.eval_on_selector_all(
        "[data-slug]", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.slug)"
    )
    assert sorted(visible) == themed
    page.fill("#cb-text", "pooled budgets")  # "pooled" is not in the text; "pool" is
    wait_until(
        page,
        "JSON.stringify(Array.from(document.querySelectorAll('[data-slug]'))"
        ".filter(c => !c.hidden).map(c => c.dataset.slug)) === '[\"inverclyde-connections\"]'",
    )


# What the search needs: scripts from the site only, and WebAssembly. (Pagefind compiles
# its WebAssembly in a web worker; a <meta> policy does not reach the worker, a policy sent
# as an HTTP header does, hence 'wasm-unsafe-eval'.)
SEARCH_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)


@pytest.fixture(scope="session")
def csp_site(real_build, tmp_path_factory):
    """The real site whose search page carries a strict Content-Security-Policy."""
    root = tmp_path_factory.mktemp("csp") / "site"
    shutil.copytree(real_build["site"], root)
    page = root / "search" / "index.html"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{SEARCH_CSP}">'
    page.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + meta, 1))
    with serve_static(root) as url:
        yield url


def test_search_works_under_a_csp_of_self_and_wasm_only(browser, csp_site):
    # Its own context: Material's inline scripts are refused under this policy (the CSP
    # work gives them hashes); the search must need no inline script of its own.
    context = browser.new_context()
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Security Policy" in message.text else None,
    )
    page.goto(csp_site + "search/?q=keyworker")
    page.wait_for_selector("#cb-search-page-results .cb-result")
    assert "City Ambition Network" in page.inner_text("#cb-search-page-results")
    assert [text for text in refused if "inline script" not in text] == []
    context.close()
