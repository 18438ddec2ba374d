"""Generated pages and blocks: term pages, index pages, the panel and the cross-links."""

from dataclasses import replace

from casebook.content.catalogue import load_catalogue
from casebook.site.blocks import (
    case_study_footer,
    case_study_panel,
    expand_markers,
    policy_footer,
)
from casebook.site.generate import catalogue_page, self_assessment_page, taxonomy_pages
from casebook.site.templating import Templates, markdown_text

from .conftest import TODAY

TEMPLATES = Templates()


def pages_by_uri(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    # each page as a reader gets it: its Markdown, its body, then the HTML placed after it
    return catalogue, {
        page.src_uri: page.markdown + page.body.html + page.after.html
        for page in taxonomy_pages(catalogue, TEMPLATES)
    }


def test_principle_page_shows_category_description_questions_and_cases(content):
    _, pages = pages_by_uri(content)
    page = pages["principles/citizen-agency.md"]
    assert "Choice and power for citizens." in page
    assert "<strong>People</strong> category" in page
    assert "<li>How do we put citizens first?</li>" in page
    assert '<h2 id="case-studies">Case studies (2)' in page
    assert '<a href="../../case_studies/beta-connections/"><strong>Beta Connections' in page
    assert "data-search-exclude" in page  # the list stays out of the browser index


def test_unused_term_still_gets_a_page_that_says_so(content):
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text().replace(
            "    - {slug: culture-shift, label: Culture shift}",
            "    - {slug: culture-shift, label: Culture shift}\n"
            "    - {slug: unused, label: Unused}",
        )
    )
    _, pages = pages_by_uri(content)
    assert ">Case studies (0)<" in pages["themes/unused.md"]
    assert "No case studies yet." in pages["themes/unused.md"]


def test_taxonomy_index_counts_and_groups(content):
    _, pages = pages_by_uri(content)
    index = pages["principles/index.md"]
    people, resourcing = '<h2 id="people">People', '<h2 id="resourcing">Resourcing'
    assert index.index(people) < index.index("Citizen agency") < index.index(resourcing)
    assert '<a href="citizen-agency/">Citizen agency</a> (2 case studies)' in index
    assert '<a href="glasgow-city/">Glasgow City</a> (1 case study)' in pages["places/index.md"]


def test_places_index_names_each_council_area_once_and_lists_the_other_places(content):
    _, pages = pages_by_uri(content)
    index = pages["places/index.md"]
    assert index.count(">Glasgow City</a>") == 1 and index.count(">Inverclyde</a>") == 1
    assert index.count("Fife") == 3  # its tile's title and label, its line in the map's list
    other = index.index('<h2 id="beyond-one-council-area">Beyond one council area')
    assert index.index(">Scotland (national or several areas)</a> (1 case study)") > other


def test_panel_links_every_term(content):
    catalogue, _ = pages_by_uri(content)
    panel = case_study_panel(TEMPLATES, catalogue, catalogue.case_study("alpha-network"))
    assert '<a href="../../places/glasgow-city/">Glasgow City</a>' in panel
    assert '<a href="../../partners/alpha-trust/">Alpha Trust</a>' in panel
    assert "<dt>Started</dt><dd>2015</dd>" in panel
    assert '<a href="../../themes/culture-shift/">Culture shift</a>' in panel


def test_footer_and_policy_backlinks(content):
    catalogue, _ = pages_by_uri(content)
    beta = catalogue.case_study("beta-connections")
    block = case_study_footer(TEMPLATES, catalogue, beta, site_url="https://example.org/")
    footer = block.html
    assert '<h2 id="related-case-studies">Related case studies<a class="headerlink"' in footer
    assert [h.id for h in block.headings] == [
        "related-case-studies",
        "policy-context",
        "source",
        "cite-this-case-study",
    ]
    assert '<a href="../alpha-network/"><strong>Alpha Network</strong></a>' in footer
    assert '<a href="../../policy/test-act/">The Test Act 2014</a>' in footer
    assert "https://example.org/case_studies/beta-connections/" in footer
    backlinks = policy_footer(TEMPLATES, catalogue, catalogue.policies["test-act"]).html
    assert "(2)" in backlinks
    assert 'href="../../case_studies/alpha-network/"' in backlinks


def test_footers_show_each_source_with_its_section_and_a_policy_with_its_document(content):
    catalogue, _ = pages_by_uri(content)
    alpha = catalogue.case_study("alpha-network")
    footer = case_study_footer(TEMPLATES, catalogue, alpha).html
    assert '<a href="https://example.org/test-report">Test Report</a>' in footer
    assert "(Test Publisher, 2018); used: Part 1, Alpha Network." in footer
    policy = policy_footer(TEMPLATES, catalogue, catalogue.policies["test-act"]).html
    assert "Kind: legislation. Year: 2014." in policy
    assert '<a href="https://example.org/test-act">Read the legislation itself</a>.' in policy
    assert "<em>Test Report</em> (Test Publisher); used: Part 2." in policy
    guidance = policy_footer(TEMPLATES, catalogue, catalogue.policies["test-guidance"]).html
    assert "Kind: guidance.</p>" in guidance and "Read" not in guidance


def test_a_source_without_an_address_of_its_own_links_its_publisher_instead(content):
    catalogue, _ = pages_by_uri(content)
    alpha = catalogue.case_study("alpha-network")
    report = alpha.sources[0]
    alpha.sources = (replace(report, url=None, publisher_url="https://publisher.example/"),)
    footer = case_study_footer(TEMPLATES, catalogue, alpha).html
    assert (
        "<em>Test Report</em> (Test Publisher, 2018); used: Part 1, Alpha Network. No public "
        "copy of it could be confirmed; its publisher's site: "
        '<a href="https://publisher.example/">publisher.example</a>.'
    ) in footer
    # A source with an address of its own sends the reader there, not to the publisher.
    alpha.sources = (replace(report, publisher_url="https://publisher.example/"),)
    footer = case_study_footer(TEMPLATES, catalogue, alpha).html
    assert '<a href="https://example.org/test-report">Test Report</a>' in footer
    assert "publisher.example" not in footer
    # Only an http(s) address becomes a link, whatever reached the model.
    alpha.sources = (replace(report, url=None, publisher_url="javascript:alert(1)"),)
    footer = case_study_footer(TEMPLATES, catalogue, alpha).html
    assert "javascript" not in footer and "No public copy" not in footer


def test_catalogue_page_lists_every_case_study(content):
    catalogue, _ = pages_by_uri(content)
    page = catalogue_page(catalogue, TEMPLATES).after.html
    assert page.count('class="cb-card"') == 3


def test_escape_keeps_markdown_from_changing_meaning():
    assert markdown_text("a [b](c) *d*") == r"a \[b\](c) \*d\*"


def test_markers_expand_to_theme_cards_newest_cases_and_a_search_box(content):
    catalogue, _ = pages_by_uri(content)
    page = expand_markers(
        "A\n<!-- casebook:themes -->\nB\n<!-- casebook:newest 2 -->\n<!-- casebook:search -->",
        catalogue,
        "index.md",
        TEMPLATES,
    )
    assert "[Collaborative working](themes/collaborative-working.md)" in page
    assert "Working together." in page and "2 case studies" in page
    newest = page.split("B\n")[1].split("<form")[0]
    # published 2026-11-02 (beta) before 2026-11-01 (alpha); gamma has no date
    assert newest.index("Beta Connections") < newest.index("Alpha Network")
    assert "Gamma Pilot" not in newest
    assert 'action="case_studies/"' in page and 'name="text"' in page
    assert expand_markers("<!-- casebook:nope -->", catalogue, "index.md", TEMPLATES) == (
        "<!-- casebook:nope -->"
    )


def test_footer_headings_keep_clear_of_ids_the_body_uses(content):
    catalogue, _ = pages_by_uri(content)
    beta = catalogue.case_study("beta-connections")
    block = case_study_footer(TEMPLATES, catalogue, beta, taken=frozenset({"source", "source_1"}))
    assert [h.id for h in block.headings if h.title == "Source"] == ["source_2"]
    assert '<h2 id="source_2">Source<a class="headerlink" href="#source_2"' in block.html


def test_only_an_http_source_address_becomes_a_link(content):
    import dataclasses

    catalogue, _ = pages_by_uri(content)
    beta = catalogue.case_study("beta-connections")
    for url, linked in [("https://example.org/r", True), ("javascript:alert(1)", False)]:
        source = dataclasses.replace(beta.sources[0], url=url)
        case = dataclasses.replace(beta, source=source, sources=(source,))
        line = case_study_footer(TEMPLATES, catalogue, case).html.split('id="source"')[1]
        assert ('<a href="https://example.org/r">' in line) is linked
        assert "javascript" not in line


def test_page_url_from_agrees_with_relpath_on_page_urls():
    import posixpath

    from casebook.content.model import page_url
    from casebook.site.links import page_url_from

    uris = [
        "index.md",
        "about.md",
        "case_studies/index.md",
        "case_studies/alpha.md",
        "case_studies/beta.md",
        "themes/index.md",
        "themes/culture-shift.md",
        "index/self-assessment.md",
        "guides/deep/nested.md",
    ]
    for here in uris:
        for there in uris:
            expected = posixpath.relpath(page_url(there) or ".", page_url(here) or ".")
            expected = expected if expected.endswith("/") else expected + "/"
            assert page_url_from(here, there) == expected, (here, there)


def test_self_assessment_shows_a_few_cases_a_principle_and_links_to_the_rest(content, monkeypatch):
    catalogue, _ = pages_by_uri(content)
    page = self_assessment_page(catalogue, TEMPLATES).body.html
    section = page.split('id="citizen-agency"')[1].split("<h3")[0]
    assert '<a href="../../case_studies/beta-connections/">Beta Connections</a>' in section
    assert '<a href="../../case_studies/gamma-pilot/">Gamma Pilot</a>' in section
    assert "See <a" not in section  # two case studies: all shown
    monkeypatch.setattr("casebook.site.generate.ASSESSMENT_CASES", 1)
    page = self_assessment_page(catalogue, TEMPLATES).body.html
    section = page.split('id="citizen-agency"')[1].split("<h3")[0]
    assert section.count('href="../../case_studies/') == 1
    assert (
        'See <a href="../../principles/citizen-agency/">all 2 on the Citizen agency page</a>.'
        in section
    )


def test_self_assessment_data_lists_a_few_cases_a_principle_from_the_site_root(
    content, monkeypatch
):
    import json

    from casebook.site.generate import READING_LIST_CASES, self_assessment_data

    catalogue, _ = pages_by_uri(content)
    data = json.loads(self_assessment_data(catalogue))
    assert list(data["principles"]) == ["citizen-agency", "sharing-resources"]  # Index order
    citizen = data["principles"]["citizen-agency"]
    assert citizen["url"] == "principles/citizen-agency/"
    assert citizen["total"] == 2
    beta = next(c for c in citizen["cases"] if c["title"] == "Beta Connections")
    assert beta["url"] == "case_studies/beta-connections/"
    assert beta["places"] == ["Inverclyde"]
    assert beta["summary"]
    assert len(citizen["cases"]) <= READING_LIST_CASES
    monkeypatch.setattr("casebook.site.generate.READING_LIST_CASES", 1)
    data = json.loads(self_assessment_data(catalogue))
    assert len(data["principles"]["citizen-agency"]["cases"]) == 1
    assert data["principles"]["citizen-agency"]["total"] == 2


def test_self_assessment_defines_each_rating_and_finds_its_data_file(content):
    import html

    from casebook.site.generate import RATINGS
    from casebook.site.sanitize import sanitise_html

    catalogue, _ = pages_by_uri(content)
    page = sanitise_html(self_assessment_page(catalogue, TEMPLATES).body.html)
    for value, label, definition in RATINGS:
        assert f"<dt>{label}</dt>" in page
        assert f'<dd id="cb-rating-{value}">{html.escape(definition)}</dd>' in page
        assert f'aria-describedby="cb-rating-{value}"' in page
    assert 'data-src="../../data/self-assessment.json"' in page
    assert 'data-root="../../"' in page
    assert 'accept=".csv"' in page  # the sanitiser keeps the file picker's filter
