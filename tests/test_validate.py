"""Validation rules, each with good and bad input, through the same entry point as the CLI."""

from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.content.scaffold import template_sections

from .conftest import TODAY, VALID_CASE, case_with, errors, write


def problems_for(content: Path, text: str, name: str = "delta-project.md", warnings=False):
    """The problems in one file; errors only unless asked, since the test bodies are short."""
    write(content, f"case_studies/{name}", text)
    _, problems = load_catalogue(content, today=TODAY)
    return [p for p in problems if p.path.endswith(name) and (warnings or p.is_error)]


def test_the_fixture_tree_is_valid(content):
    catalogue, problems = load_catalogue(content, today=TODAY)
    assert errors(problems) == []
    assert len(catalogue.case_studies) == 3


def test_a_valid_case_study_has_no_problems(content):
    assert problems_for(content, VALID_CASE) == []


@pytest.mark.parametrize(
    "field,line",
    [("title", 2), ("summary", 3), ("place", 4), ("themes", 5), ("principles", 7), ("partners", 9)],
)
def test_each_required_field(content, field, line):
    found = problems_for(content, case_with(**{field: ""}))
    assert len(found) == 1, found
    assert f"missing required field '{field}'" in found[0].message
    assert found[0].line == 1  # the key is gone, so no line can be named


def test_unknown_theme_names_the_line_of_the_item_and_suggests(content):
    text = case_with(themes="themes:\n  - collaborative-working\n  - colaborative-workin")
    found = problems_for(content, text)
    assert len(found) == 1
    assert found[0].line == 7
    assert "unknown theme 'colaborative-workin'" in found[0].message
    assert "did you mean 'collaborative-working'" in found[0].message


def test_a_label_instead_of_a_slug_says_which_slug_to_write(content):
    found = problems_for(content, case_with(place="place: Glasgow City"))
    assert len(found) == 1 and found[0].line == 4
    assert "write the slug 'glasgow-city'" in found[0].message


def test_unknown_place_suggests_the_nearest(content):
    found = problems_for(content, case_with(place="place: inverclide"))
    assert "did you mean 'inverclyde'" in found[0].message


def test_place_must_be_one_term(content):
    found = problems_for(content, case_with(place="place: [inverclyde, glasgow-city]"))
    assert len(found) == 1 and "national term" in found[0].message


def test_a_collaboration_needs_two_partners(content):
    found = problems_for(content, case_with(partners="partners:\n  - Only One"))
    assert len(found) == 1 and "give at least 2" in found[0].message and found[0].line == 9


def test_themes_written_as_a_single_string(content):
    found = problems_for(content, case_with(themes="themes: collaborative-working"))
    assert len(found) == 1 and "must be a list" in found[0].message


def test_duplicate_term(content):
    text = case_with(themes="themes: [collaborative-working, collaborative-working]")
    found = problems_for(content, text)
    assert len(found) == 1 and "appears twice" in found[0].message


def test_summary_over_the_limit(content):
    found = problems_for(content, case_with(summary="summary: " + "x" * 301))
    assert len(found) == 1 and found[0].line == 3
    assert "301 characters; keep it to 300 or fewer" in found[0].message


def test_summary_of_the_wrong_type(content):
    found = problems_for(content, case_with(summary="summary: [a, b]"))
    assert "must be text, not a list" in found[0].message


@pytest.mark.parametrize(
    "value,message",
    [
        ("2999", "2999 is in the future"),
        ("'twenty'", "must be a year"),
        ("1066", "too early"),
    ],
)
def test_started_year(content, value, message):
    found = problems_for(content, case_with(started=f"started: {value}"))
    assert len(found) == 1 and message in found[0].message and found[0].line == 12


def test_a_policy_that_does_not_exist(content):
    found = problems_for(content, case_with(policies="policies:\n  - test-akt"))
    assert len(found) == 1 and found[0].line == 14
    assert "no content/policy/test-akt.md" in found[0].message
    assert "did you mean 'test-act'" in found[0].message


def test_unknown_field_suggests_the_nearest(content):
    text = VALID_CASE.replace("started: 2016", "startd: 2016")
    found = problems_for(content, text)
    assert len(found) == 1 and found[0].line == 12
    assert "unknown field 'startd'" in found[0].message and "'started'" in found[0].message


def test_source_needs_title_and_publisher_and_a_web_url(content):
    text = VALID_CASE.replace("---\n\nA body", "source:\n  title: R\n  url: ftp://x\n---\n\nA body")
    found = problems_for(content, text)
    messages = sorted(p.message for p in found)
    assert any("needs a 'publisher'" in m for m in messages)
    assert any("must start with https://" in m for m in messages)


def test_a_case_study_without_sources_is_a_problem_that_names_the_fix(content):
    found = problems_for(content, case_with(sources=""))
    assert len(found) == 1 and found[0].line == 1  # the key is gone, so no line can be named
    assert "missing required field 'sources'" in found[0].message
    assert "section" in found[0].message


def test_the_older_single_source_is_told_how_to_become_sources(content):
    older = "source:\n  title: R\n  publisher: P"
    found = problems_for(content, case_with(sources=older))
    assert len(found) == 1 and found[0].line == 15
    assert "'source' is now 'sources', a list" in found[0].message
    assert "'- title:'" in found[0].message and "'section:'" in found[0].message


@pytest.mark.parametrize(
    "sources,line,message",
    [
        ("sources:\n  - title: R\n    publisher: P", 16, "'sources.0' needs a 'section'"),
        ("sources:\n  title: R\n  publisher: P\n  section: S", 15, "must be a list"),
        ("sources: []", 15, "at least one source"),
        (
            "sources:\n  - {title: R, publisher: P, section: S}\n  - {title: Q, section: S}",
            17,
            "'sources.1' needs a 'publisher'",
        ),
        (
            "sources:\n  - {title: R, publisher: P, section: S, url: ftp://x}",
            16,
            "'sources.0.url' must start with https://",
        ),
        (
            "sources:\n  - {title: R, publisher: P, section: S, publisher_url: www.p.org}",
            16,
            "'sources.0.publisher_url' must start with https://",
        ),
        (
            "sources:\n  - {title: R, publisher: P, section: S, page: 4}",
            16,
            "unknown field 'sources.0.page'",
        ),
    ],
)
def test_each_source_needs_title_publisher_and_section_on_its_own_line(
    content, sources, line, message
):
    found = problems_for(content, case_with(sources=sources))
    assert len(found) == 1, found
    assert found[0].line == line and message in found[0].message


def test_a_policy_page_needs_sources_and_a_web_address_for_the_document(content):
    page = "---\ntitle: Act\nsummary: s\nkind: legislation\nofficial_url: www.example.org\n---\nB\n"
    write(content, "policy/act.md", page)
    _, problems = load_catalogue(content, today=TODAY)
    found = sorted((p.line, p.message) for p in problems if p.path.endswith("act.md"))
    assert [line for line, _ in found] == [1, 5]
    assert "missing required field 'sources'" in found[0][1]
    assert "'official_url' must start with https://" in found[1][1]


def test_empty_body(content):
    found = problems_for(content, VALID_CASE.replace("A body with words.", ""))
    assert len(found) == 1 and "body is empty" in found[0].message


def test_unsafe_file_name(content):
    found = problems_for(content, VALID_CASE, name="Delta Project!.md")
    assert any("rename it to 'delta-project.md'" in p.message for p in found)


def test_duplicate_titles(content):
    text = VALID_CASE.replace("title: Delta Project", "title: Alpha Network")
    found = problems_for(content, text)
    assert len(found) == 1 and "already used by" in found[0].message and found[0].line == 2


def test_duplicate_slugs_in_sub_folders(content):
    write(
        content,
        "case_studies/more/alpha-network.md",
        VALID_CASE.replace("Delta Project", "Alpha Again"),
    )
    _, problems = load_catalogue(content, today=TODAY)
    messages = [p.message for p in problems if "more/alpha-network.md" in p.path]
    assert any("slug 'alpha-network' is already used" in m for m in messages)
    assert any("not in a sub-folder" in m for m in messages)


# -- issue 18: a slug is a slug to its last character -------------------------------------


@pytest.mark.parametrize(
    "name,suggestion",
    [("delta_project", "delta-project"), ("delta-", "delta"), ("delta.v2", "delta-v2")],
)
def test_a_file_name_that_is_a_slug_only_at_its_start_is_refused(content, name, suggestion):
    found = problems_for(content, VALID_CASE, name=f"{name}.md")
    assert [(p.line, p.message) for p in found] == [
        (
            1,
            f"file name '{name}.md' is not a safe slug; rename it to '{suggestion}.md' "
            "(lowercase letters, digits, hyphens)",
        )
    ]


def test_broken_internal_link(content):
    text = VALID_CASE.replace("A body with words.", "Words.\n\nSee [gone](missing-case.md).")
    found = problems_for(content, text)
    assert len(found) == 1 and found[0].line == 20
    assert "broken link to 'missing-case.md'" in found[0].message


def test_links_to_generated_pages_are_not_broken(content):
    text = VALID_CASE.replace(
        "A body with words.", "See [a theme](../themes/culture-shift.md) and [all](index.md)."
    )
    assert problems_for(content, text) == []


@pytest.mark.parametrize(
    "html,what",
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<iframe src="https://example.org"></iframe>', "<iframe>"),
        ('<object data="x.swf"></object>', "<object>"),
        ("<style>body{display:none}</style>", "<style>"),
        ('<img src="x.png" onerror="alert(1)">', "'onerror='"),
        ("[click](javascript:alert(1))", "'javascript:'"),
        ('<a href="javascript:alert(1)">x</a>', "'javascript:'"),
    ],
)
def test_hostile_html_is_a_problem_on_its_line(content, html, what):
    text = VALID_CASE.replace("A body with words.", f"Words.\n\n{html}")
    found = problems_for(content, text)
    assert len(found) == 1, found
    assert what in found[0].message and found[0].line == 20


def test_every_problem_is_reported_in_one_run(content):
    text = case_with(place="place: nowhere", started="started: 3000", themes="themes: [bogus]")
    found = problems_for(content, text)
    assert len(found) == 3


def test_policy_page_rules(content):
    front = "title: Bad\nsummary: s\nkind: statute\nsources: [{title: R, publisher: P, section: S}]"
    write(content, "policy/bad.md", f"---\n{front}\n---\nBody\n")
    _, problems = load_catalogue(content, today=TODAY)
    found = [p for p in problems if p.path.endswith("bad.md")]
    assert len(found) == 1 and found[0].line == 4
    assert "must be one of legislation, guidance, framework, body" in found[0].message


def test_a_broken_taxonomy_file_is_reported_once_without_a_cascade(content):
    (content / "taxonomy.yml").write_text("themes: [unclosed\n", encoding="utf-8")
    _, problems = load_catalogue(content, today=TODAY)
    found = errors(problems)
    assert len(found) == 1 and found[0].path.endswith("taxonomy.yml")


def test_unknown_block_marker(content):
    text = VALID_CASE.replace("A body with words.", "Words.\n\n<!-- casebook:themse -->")
    found = problems_for(content, text)
    assert len(found) == 1 and found[0].line == 20
    assert "unknown block" in found[0].message and "did you mean 'themes'" in found[0].message


def test_broken_yaml_reports_only_the_parse_error_with_its_column(content):
    text = VALID_CASE.replace("place: inverclyde", "place: inverclyde: glasgow")
    found = problems_for(content, text + "<script>x</script>\n", warnings=True)
    assert len(found) == 1, found
    assert (found[0].line, found[0].column) == (4, 18)  # the second colon
    assert "delta-project.md:4:18: invalid YAML (mapping values are not allowed" in str(found[0])


def test_front_matter_that_is_not_fields_reports_only_that(content):
    found = problems_for(content, "---\n- a list\n---\n\nBody.\n", warnings=True)
    assert [p.message.split(" ")[0:3] for p in found] == [["front", "matter", "must"]]


# The template's five sections, 70 words each: a body no shape rule warns about.
BODY = "\n\n".join(f"## {heading}\n\n" + "word " * 70 for heading in template_sections())


def test_a_full_body_with_the_template_sections_draws_no_warning(content):
    assert problems_for(content, VALID_CASE + BODY, warnings=True) == []


def test_a_short_body_is_a_warning_on_the_body_line(content):
    found = problems_for(content, VALID_CASE, warnings=True)
    short = [p for p in found if "words" in p.message]
    body_line = VALID_CASE.split("\n").index("---", 1) + 2  # the line after the closing ---
    assert len(short) == 1 and short[0].severity == "warning" and short[0].line == body_line
    assert "the body has 4 words; a case study needs at least 300" in short[0].message
    assert ": warning: the body has 4 words" in str(short[0])


def test_missing_section_headings_are_one_warning_naming_them(content):
    text = VALID_CASE + BODY.replace("## Challenges", "Challenges").replace(
        "## What changed", "### What changed"
    )
    found = problems_for(content, text, warnings=True)
    assert len(found) == 1 and found[0].severity == "warning"
    assert "headings '## What changed', '## Challenges'" in found[0].message


def test_the_body_rules_spare_policy_pages_and_other_pages(content):
    write(
        content,
        "policy/short.md",
        "---\ntitle: S\nsummary: s\nkind: body\n"
        "sources: [{title: T, publisher: P, section: Part 1}]\n---\nShort.\n",
    )
    _, problems = load_catalogue(content, today=TODAY)
    assert [p for p in problems if p.path.endswith("short.md")] == []


def test_required_terms_are_asked_for_in_plain_english(content):
    found = problems_for(content, case_with(partners=""))
    assert found[0].message.endswith("add at least 2 partners")
    found = problems_for(content, case_with(themes=""))
    assert "add at least one theme, e.g." in found[0].message


def test_unknown_field_never_suggests_a_field_the_list_leaves_out(content):
    found = problems_for(content, VALID_CASE.replace("started:", "templat:"))
    assert "template" not in found[0].message and "fields for a case study" in found[0].message


# -- mutation testing (issue 18): the exact lines a contributor reads ----------------------
# Each file below breaks many rules at once; the whole report is compared line for line,
# so a changed word, a lost suggestion or a line number off by one fails here.


def report(content: Path, files: dict[str, str]) -> list[str]:
    """`path:line: message` for each problem in `files`, paths relative to content/."""
    for name, text in files.items():
        write(content, name, text)
    _, problems = load_catalogue(content, today=TODAY)
    prefix = f"{content}/"
    return [
        str(problem).replace(prefix, "")
        for problem in problems
        if any(problem.path.endswith(name) for name in files)
    ]


BAD_TYPES = """\
---
titel: Bad Types
summary: 42
place: [inverclyde, glasgow-city]
themes: collaborative-working
principles: {citizen-agency: yes}
partners: [Alpha Trust, 7, true]
programme: [provider-collaborations]
started: true
policies: test-act
sources: {title: T, publisher: P, section: S}
published: 2031-01-01
hide: [navigation, everything]
focus: [ok]
---

TODO write this
<script>alert(1)</script>
<a href="#" onclick="x()">x</a>
[link](javascript:alert(1))
<!-- casebook:relatd -->
"""


def test_every_wrong_type_in_a_case_study_reads_as_written(content):
    name = "case_studies/bad-types.md"
    assert report(content, {name: BAD_TYPES}) == [
        f"{name}:1: missing required field 'title': add 'title:' with the case study's name, "
        "as the source names the work",
        f"{name}:2: unknown field 'titel' (did you mean 'title' or 'started'?); fields for a "
        "case study: title, summary, started, policies, sources, source, published, themes, "
        "principles, place, programme, partners, focus",
        f"{name}:3: 'summary' must be text, not a number; put it in double quotes",
        f"{name}:4: 'place' takes one place, not a list; for work in several areas use the "
        "national term",
        f"{name}:5: 'themes' must be a list, one item per line starting with '- '",
        f"{name}:6: 'principles' must be a list, not a mapping",
        f"{name}:7: each item of 'partners' must be text, not a number",
        f"{name}:7: each item of 'partners' must be text, not true/false",
        f"{name}:8: 'programme' takes one programme, not a list",
        f"{name}:9: 'started' must be a year such as 2015, not True",
        f"{name}:10: 'policies' must be a list of policy page slugs, one per line starting "
        "with '- '",
        f"{name}:11: 'sources' must be a list: start each source with '- title:' on its own line",
        f"{name}:12: 'published' 2031-01-01 is in the future",
        f"{name}:13: 'hide' takes a list of navigation, toc, footer, path, tags, feedback, "
        "not 'everything'",
        f"{name}:16: warning: missing the template's section headings '## What they did', "
        "'## How they work together', '## What changed', '## Challenges', "
        "'## Learning for others'; add each as a line of its own (see `casebook new` or "
        "CONTRIBUTING.md)",
        f"{name}:16: warning: the body has 17 words; a case study needs at least 300 to say "
        "what was done, how and what changed",
        f"{name}:17: the template's TODO text is still here: replace it with your own "
        "(see CONTRIBUTING.md)",
        f"{name}:18: raw HTML <script> is not allowed in content; remove it (embed media as "
        "a link instead)",
        f"{name}:19: HTML event attribute 'onclick=' is not allowed in content; remove it",
        f"{name}:20: 'javascript:' links are not allowed; link to an https:// address or "
        "another page",
        f"{name}:21: unknown block '<!-- casebook:relatd -->'; blocks: themes, newest, search",
    ]


BAD_POLICY = """\
---
title: Bad Policy
summary: A policy page with problems.
kind: legislaton
year: 1850
official_url: ftp://example.org/act
sources:
  - title: TODO name it
    publisher: 12
    section: Part 1
    year: 2999
    url: mailto:someone@example.org
    pages: 4
  - not a mapping
  - publisher: Nobody
owner: me
---

Body text.
"""


def test_every_problem_in_a_policy_page_and_its_sources_reads_as_written(content):
    name = "policy/bad-policy.md"
    assert report(content, {name: BAD_POLICY}) == [
        f"{name}:4: 'kind' must be one of legislation, guidance, framework, body, "
        "not 'legislaton' (did you mean 'legislation'?)",
        f"{name}:5: 'year' 1850 is too early; write a four-digit year",
        f"{name}:6: 'official_url' must start with https:// or http://",
        f"{name}:8: 'sources.0.title' still has the template's TODO text: name the source",
        f"{name}:9: 'sources.0.publisher' must be text",
        f"{name}:11: 'year' 2999 is in the future; give the year the work actually started",
        f"{name}:12: 'sources.0.url' must start with https:// or http://",
        f"{name}:13: unknown field 'sources.0.pages'; 'sources.0' takes title, publisher, "
        "year, url, section, publisher_url",
        f"{name}:14: 'sources.1' must have indented fields: title, publisher, year, url, "
        "section, publisher_url",
        f"{name}:15: 'sources.2' needs a 'section' (the chapter, heading or page you used)",
        f"{name}:15: 'sources.2' needs a 'title'",
        f"{name}:16: unknown field 'owner'; fields for a policy page: title, summary, kind, "
        "year, official_url, sources, source",
    ]


NO_TERMS = """\
---
title: No Terms
summary: A case with none of its required terms.
sources: [{title: T, publisher: P, section: S}]
started: 1899
policies: [test-act, 5, tst-guidance]
published: yesterday
---

Body.
"""


def test_missing_terms_policies_and_dates_read_as_written(content):
    # a fourth theme: the examples stop at three
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8").replace(
            "    - {slug: culture-shift, label: Culture shift}\n",
            "    - {slug: culture-shift, label: Culture shift}\n"
            "    - {slug: fourth-theme, label: Fourth theme}\n",
        ),
        encoding="utf-8",
    )
    name = "case_studies/no-terms.md"
    assert report(content, {name: NO_TERMS})[:8] == [
        f"{name}:1: missing required field 'partners': add at least 2 partners",
        f"{name}:1: missing required field 'place': add a place, e.g. glasgow-city, "
        "inverclyde, scotland",
        f"{name}:1: missing required field 'principles': add at least one principle, "
        "e.g. citizen-agency, sharing-resources",
        f"{name}:1: missing required field 'themes': add at least one theme, "
        "e.g. collaborative-working, lived-experience, culture-shift",
        f"{name}:5: 'started' 1899 is too early; write a four-digit year",
        f"{name}:6: 'policies' names 'tst-guidance', but there is no "
        "content/policy/tst-guidance.md (did you mean 'test-guidance' or 'test-act'?)",
        f"{name}:6: 'policies' names 5, but there is no content/policy/5.md",
        f"{name}:7: 'published' must be a date written YYYY-MM-DD, not 'yesterday'",
    ]


def test_an_unknown_field_on_an_ordinary_page_lists_the_page_fields(content):
    name = "guides/bad-page.md"
    text = "---\ntitle: A guide\ntitel: typo\nhide: toc\n---\n\nText.\n"
    assert report(content, {name: text}) == [
        f"{name}:3: unknown field 'titel' (did you mean 'title'?); fields for a page: "
        "title, summary",
    ]


def test_file_names_folders_and_twins_read_as_written(content):
    def valid(title: str) -> str:
        return VALID_CASE.replace("Delta Project", title)

    files = {
        "case_studies/Bad Name.md": valid("Bad Name"),
        "case_studies/sub/deeper.md": valid("Deeper"),
        "case_studies/sub/alpha-network.md": valid("Another Alpha"),
        "case_studies/copy-of-alpha.md": valid("Alpha Network"),
        "case_studies/empty-body.md": valid("Empty Body").replace("A body with words.", ""),
    }
    assert [line for line in report(content, files) if "warning:" not in line] == [
        "case_studies/Bad Name.md:1: file name 'Bad Name.md' is not a safe slug; rename it "
        "to 'bad-name.md' (lowercase letters, digits, hyphens)",
        "case_studies/copy-of-alpha.md:2: title 'Alpha Network' is already used by "
        "case_studies/alpha-network.md; titles must be unique",
        "case_studies/empty-body.md:19: the body is empty: write the page below the closing "
        "'---' (see the template's section headings)",
        "case_studies/sub/alpha-network.md:1: put this file directly in content/case_studies/, "
        "not in a sub-folder: the file name is the page's address",
        "case_studies/sub/alpha-network.md:1: slug 'alpha-network' is already used by "
        "case_studies/alpha-network.md; rename one of the files",
        "case_studies/sub/deeper.md:1: put this file directly in content/case_studies/, "
        "not in a sub-folder: the file name is the page's address",
    ]


TEXT_VALUES = """\
---
title: "   "
summary: TODO one or two sentences
place: ""
themes: [collaborative-working, [nested], "  "]
principles: [citizen-agency, citizen-agency, Citizen agency]
partners: [Alpha Trust, ~]
programme: 1.5
started: 2031
policies: [test-act]
source: {title: Old Source, publisher: P}
published: 2026-11-25 10:00:00
hide: everything
description: a theme key, allowed
---

Body.
"""


def test_empty_todo_and_doubled_values_read_as_written(content):
    name = "case_studies/text-values.md"
    assert [line for line in report(content, {name: TEXT_VALUES}) if "warning:" not in line] == [
        f"{name}:2: 'title' is empty: write the case study's name, as the source names the work",
        f"{name}:3: 'summary' still has the template's TODO text: write one or two sentences: "
        "who did what, for whom",
        f"{name}:4: missing required field 'place': add a place, e.g. glasgow-city, "
        "inverclyde, scotland",
        f"{name}:5: each item of 'themes' must be text, not a list",
        f"{name}:5: each item of 'themes' must be text, not empty",
        f"{name}:6: 'citizen-agency' appears twice in 'principles'",
        f"{name}:6: 'principles': write the slug 'citizen-agency' instead of the label "
        "'Citizen agency'",
        f"{name}:7: each item of 'partners' must be text, not empty",
        f"{name}:8: each item of 'programme' must be text, not a number",
        f"{name}:9: 'started' 2031 is in the future; give the year the work actually started",
        f"{name}:11: 'source' is now 'sources', a list: rename it 'sources:', start the source "
        "with '- title:' and add 'section:' (the part you used)",
        f"{name}:12: 'published' 2026-11-25 10:00:00 is in the future",
        f"{name}:13: 'hide' takes a list of navigation, toc, footer, path, tags, feedback, "
        "not 'everything'",
    ]


def test_a_summary_over_the_limit_says_how_long_it_is(content):
    text = VALID_CASE.replace("A valid test case study.", "x" * 301)
    assert report(content, {"case_studies/long.md": text})[0] == (
        "case_studies/long.md:3: 'summary' is 301 characters; keep it to 300 or fewer "
        "(move detail into the body)"
    )
    text = VALID_CASE.replace("A valid test case study.", " " + "x" * 300 + " ")
    assert not any("characters" in line for line in report(content, {"case_studies/long.md": text}))


LINKS = """\
---
title: Links
---

```
[not a link](nowhere.md)
```
[broken](missing.md) and [fine](alpha-network.md) and [external](https://example.org/x.md)
[up and back](../case_studies/beta-connections.md) [anchor](#top) [image](pic.png)
[with title](gone.md "Title") [escaped](gamma%2Dpilot.md) [term](../themes/culture-shift.md)
[policy](../policy/test-act.md#part-2) ~~~ [in no fence](policy.md)
"""


def test_broken_links_are_named_on_their_line_and_good_ones_pass(content):
    name = "case_studies/links.md"
    assert [line for line in report(content, {name: LINKS}) if "broken link" in line] == [
        f"{name}:8: broken link to 'missing.md': no page content/case_studies/missing.md "
        "(did you mean 'case_studies/links.md', 'case_studies/index.md' or "
        "'case_studies/gamma-pilot.md'?)",
        f"{name}:10: broken link to 'gone.md': no page content/case_studies/gone.md "
        "(did you mean 'case_studies/index.md', 'case_studies/links.md' or "
        "'case_studies/gamma-pilot.md'?)",
        f"{name}:11: broken link to 'policy.md': no page content/case_studies/policy.md "
        "(did you mean 'case_studies/links.md', 'case_studies/index.md' or "
        "'case_studies/gamma-pilot.md'?)",
    ]


WORDS = """\
---
title: Words
---

One two three <!-- four five six --> seven.
# A heading is not prose
## What they did ##
## How they work together
## What changed
## Challenges
Eight <!-- nine ten
eleven twelve
"""


def test_words_are_counted_without_headings_or_comments_and_one_section_is_named(content):
    name = "case_studies/words.md"
    assert [line for line in report(content, {name: WORDS}) if "warning:" in line] == [
        f"{name}:4: warning: missing the template's section heading '## Learning for others'; "
        "add each as a line of its own (see `casebook new` or CONTRIBUTING.md)",
        f"{name}:4: warning: the body has 5 words; a case study needs at least 300 to say what "
        "was done, how and what changed",
    ]
    one = WORDS.replace("One two three <!-- four five six --> seven.", "One.").replace(
        "Eight <!-- nine ten", "<!--"
    )
    assert report(content, {name: one})[-1] == (
        f"{name}:4: warning: the body has 1 word; a case study needs at least 300 to say what "
        "was done, how and what changed"
    )


def test_every_unknown_term_is_reported_not_only_the_first(content):
    text = case_with(themes="themes: [colaborative-working, culture-shfit]")
    found = report(content, {"case_studies/t.md": text})
    assert [line.split(": ", 1)[1] for line in found if "warning:" not in line] == [
        "unknown theme 'colaborative-working' in 'themes' (did you mean "
        "'collaborative-working'?); see themes in content/taxonomy.yml",
        "unknown theme 'culture-shfit' in 'themes' (did you mean 'culture-shift'?); "
        "see themes in content/taxonomy.yml",
    ]


def test_a_value_of_another_type_is_named_by_its_type(content):
    text = case_with(summary="summary: 2020-01-01")
    assert report(content, {"case_studies/t.md": text})[:1] == [
        "case_studies/t.md:3: 'summary' must be text, not date; put it in double quotes"
    ]


OLD_SOURCE = """\
---
title: Old Source
summary: ""
kind: guidance
official_url: 12
source:
  title: A Report
  publisher: P
  year: 2001
  edition: 2
sources: []
description: allowed
hide: [toc]
---

Body.
"""


def test_an_empty_value_the_older_source_and_an_empty_sources_list_read_as_written(content):
    name = "policy/old-source.md"
    assert report(content, {name: OLD_SOURCE}) == [
        f"{name}:3: missing required field 'summary': add 'summary:' with one or two "
        "sentences on what it is",
        f"{name}:5: 'official_url' must start with https:// or http://",
        f"{name}:10: unknown field 'source.edition' (did you mean 'section'?); 'source' takes "
        "title, publisher, year, url, section, publisher_url",
        f"{name}:11: 'sources' must be a list of at least one source, each starting "
        "'- title:' with title, publisher, year, url, section, publisher_url",
    ]
    page = "---\ntitle: ''\nsummary: 5\nthemes: [x]\n---\n\nBody.\n"
    assert report(content, {"guides/page.md": page}) == [
        "guides/page.md:3: 'summary' must be text, not a number; put it in double quotes",
        "guides/page.md:4: unknown field 'themes'; fields for a page: title, summary",
    ]


def test_a_case_study_without_front_matter_is_told_once_and_plain_http_is_an_address(content):
    found = report(content, {"case_studies/no-front.md": "Body\n"})
    assert [line for line in found if "warning:" not in line] == [
        "case_studies/no-front.md:1: no front matter: start the file with a line '---', the "
        "fields, then another '---' (copy a template with `casebook new`)"
    ]
    # the older 'source' left empty is no source at all: 'sources' is simply missing
    text = case_with(sources='source: ""')
    assert [line for line in report(content, {"case_studies/t.md": text}) if "sources" in line] == [
        "case_studies/t.md:1: missing required field 'sources': add 'sources:' with the sources "
        "the facts come from, a list: each '- title:' with publisher, section (the part used), "
        "and year and url where known"
    ]
    policy = BAD_POLICY.replace("ftp://example.org/act", "http://example.org/act")
    assert not any(
        "'official_url' must" in line for line in report(content, {"policy/p.md": policy})
    )


def test_years_at_the_edges_and_a_source_year_or_section_that_is_wrong(content):
    sources = (
        "sources:\n"
        "  - {title: A, publisher: P, section: '', year: soon}\n"
        "  - {title: B, publisher: P, section: S, year: 1899, url: 'http://example.org/b'}\n"
        "  - {title: C, publisher: P, section: S, year: 1900}\n"
        "  - {title: D, publisher: P, section: S, year: 2026}"
    )
    text = case_with(sources=sources, started="started: 2026")
    assert [
        line for line in report(content, {"case_studies/t.md": text}) if "warning" not in line
    ] == [
        "case_studies/t.md:16: 'sources.0' needs a 'section' (the chapter, heading or page "
        "you used)",
        "case_studies/t.md:16: 'year' must be a year such as 2015, not 'soon'",
        "case_studies/t.md:17: 'year' 1899 is too early; write a four-digit year",
    ]


def test_budget_names_hidden_items_and_invisible_characters_read_as_written(content):
    def valid(title: str, body: str = "A body with words.") -> str:
        return VALID_CASE.replace("title: Delta Project", f"title: {title}").replace(
            "A body with words.", body
        )

    files = {
        "case_studies/budget.md": valid("Budget", "Fine.\n\n" + "[" * 3000),
        "case_studies/---.md": valid("Dashes"),
        "case_studies/hidden.md": valid("Hidden\nhide:\n  - toc\n  - everything"),
        "case_studies/invisible.md": valid('"In\u200bvisible"'),
        "guides/My Guide.md": "---\ntitle: Same Guide\n---\nText\n",
        "guides/other.md": "---\ntitle: Same Guide\n---\nText\n",
        "policy/act-two.md": "---\ntitle: The Test Act 2014\nsummary: s\nkind: legislation\n"
        "sources: [{title: T, publisher: P, section: S}]\n---\nBody\n",
    }
    for name, text in files.items():
        write(content, name, text)
    _, problems = load_catalogue(content, today=TODAY)
    found = [str(p).replace(f"{content}/", "") for p in problems if p.is_error]
    assert found == [
        "case_studies/---.md:1: file name '---.md' is not a safe slug; rename it to "
        "'a-short-name.md' (lowercase letters, digits, hyphens)",
        "case_studies/budget.md:20: this paragraph has too many '[' or '<' for its length to "
        "render in reasonable time; split it with blank lines, or write fewer links and tags",
        "case_studies/hidden.md:5: 'hide' takes a list of navigation, toc, footer, path, tags, "
        "feedback, not 'everything'",
        "case_studies/invisible.md:2: 'title' contains the invisible character U+200B ZERO "
        "WIDTH SPACE; delete it (retype the text if you pasted it)",
        # two policy pages with one title: the second by path is told (ordinary pages may)
        "policy/test-act.md:2: title 'The Test Act 2014' is already used by "
        "policy/act-two.md; titles must be unique",
    ]


def test_body_rules_report_once_per_line_and_start_on_the_first_line(content):
    body = (
        "TODO first line\n<script></script><iframe></iframe>\n<style>\n"
        "<!-- casebook:themes -->\n<!-- casebook:bogus -->\n"
    )
    text = VALID_CASE.replace("title: Delta Project", "title: Rules").replace(
        "---\n\nA body with words.\n", "---\n" + body
    )
    found = report(content, {"case_studies/rules.md": text})
    assert [line for line in found if "warning" not in line] == [
        "case_studies/rules.md:17: the template's TODO text is still here: replace it with your "
        "own (see CONTRIBUTING.md)",
        "case_studies/rules.md:18: raw HTML <script> is not allowed in content; remove it "
        "(embed media as a link instead)",
        "case_studies/rules.md:19: raw HTML <style> is not allowed in content; remove it "
        "(embed media as a link instead)",
        "case_studies/rules.md:21: unknown block '<!-- casebook:bogus -->'; blocks: themes, "
        "newest, search",
    ]


def test_a_lookalike_title_and_an_empty_ordinary_page(content):
    text = VALID_CASE.replace("Delta Project", "Alpha N\u0435twork")  # a Cyrillic e
    files = {
        "case_studies/copy.md": text,
        "guides/empty.md": "---\ntitle: E\n---\n",
        "guides/todo.md": "TODO write the guide\n",
    }
    found = report(content, files)
    assert [line for line in found if "warning" not in line] == [
        "case_studies/copy.md:2: title 'Alpha N\\u0435twork' looks the same as the title "
        "already used by case_studies/alpha-network.md; titles must be unique",
        "guides/todo.md:1: the template's TODO text is still here: replace it with your own "
        "(see CONTRIBUTING.md)",
    ]
    # without front matter the body is the whole file, first word and all
    found = report(content, {"case_studies/bare.md": "I <!-- a note --> did it.\n"})
    assert found[-1].startswith("case_studies/bare.md:1: warning: the body has 3 words;")


def test_three_hundred_words_are_enough_and_indented_headings_are_not_prose(content):
    sections = "".join(f"## {name}\n" for name in template_sections())
    words = " ".join(["word"] * 299)
    text = VALID_CASE.replace("---\n\nA body with words.\n", f"---\nI <!-- a note --> {words}\n")
    assert not any("words;" in line for line in report(content, {"case_studies/w.md": text}))
    text = text.replace(" word\n", f"\n   # {words}\n{sections}")
    assert report(content, {"case_studies/w.md": text})[-1].endswith(
        "the body has 299 words; a case study needs at least 300 to say what was done, how "
        "and what changed"
    )


def test_a_repeated_title_with_accents_is_quoted_as_written(content):
    # Only a lookalike is spelled out with escapes (the reader cannot see the difference);
    # the same title written twice is shown as the contributor wrote it.
    title = "Cùram Còmhla in Tìr Chonaill"
    files = {
        f"case_studies/{name}.md": VALID_CASE.replace("Delta Project", title)
        for name in ("curam-one", "curam-two")
    }
    assert [line for line in report(content, files) if "warning" not in line] == [
        f"case_studies/curam-two.md:2: title '{title}' is already used by "
        "case_studies/curam-one.md; titles must be unique",
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        # each comment ends at its own '-->', not at the last one in the body
        ("I <!-- a --> did <!-- b --> it.\n", 3),
        # "<!---->" is a whole comment; the word right after a comment's "-->" is kept
        ("<!---->I <!-- a -->I did it.\n", 4),
    ],
)
def test_words_beside_comments_are_counted(content, body, words):
    found = report(content, {"case_studies/bare.md": body})
    assert [line for line in found if "words;" in line] == [
        f"case_studies/bare.md:1: warning: the body has {words} words; a case study needs at "
        "least 300 to say what was done, how and what changed"
    ]


MORE_LINKS = """\
---
title: More links
---

  ```
  [in an indented fence](nowhere.md)
  ```
~~~
[in a tilde fence](nowhere.md)
~~~
[site](https://example.org) then [broken](gone-one.md)
[image](pic.png) then [broken](gone-two.md)
[protocol-relative](//example.org/x.md) [mail](mailto:office@gov.md)
[from the root](/case_studies/alpha-network.md)
"""


def test_every_link_on_a_line_is_checked_and_fences_and_other_sites_are_not(content):
    files = {
        "case_studies/more-links.md": MORE_LINKS,
        # unreadable front matter is the one problem: the body is not read for links
        "case_studies/unreadable.md": "---\ntitle: [x\n---\n\n[broken](nowhere.md)\n",
    }
    found = [line for line in report(content, files) if "broken link" in line]
    assert [line.split(" (did you mean")[0] for line in found] == [
        "case_studies/more-links.md:11: broken link to 'gone-one.md': no page "
        "content/case_studies/gone-one.md",
        "case_studies/more-links.md:12: broken link to 'gone-two.md': no page "
        "content/case_studies/gone-two.md",
    ]
