"""The issue form and `casebook from-issue`: a form body, as GitHub renders it, becomes a
case-study file that `casebook check` reads, or a refusal that says what to fix."""

import json
import re
import shutil

import pytest
import yaml
from casebook.cli import main
from casebook.content.issue_form import FORM_FILE, form_yaml, issue_comment, read_issue_body
from casebook.content.taxonomy import load_taxonomies

from .conftest import FIXTURE_CONTENT, ROOT

ISSUES = ROOT / "tests" / "fixtures" / "issues"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The fixture content with the project's real taxonomy (the form's vocabulary)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    shutil.copy(ROOT / "content" / "taxonomy.yml", content / "taxonomy.yml")
    # The fixtures' open Focus term is not in the project's closed Focus list.
    alpha = content / "case_studies" / "alpha-network.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace(
            "focus:\n  - people sleeping rough\n", "focus:\n  - people-experiencing-homelessness\n"
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return content


def test_the_committed_form_is_the_generated_one():
    taxonomies, _ = load_taxonomies(ROOT / "content")
    committed = (ROOT / FORM_FILE).read_text(encoding="utf-8")
    assert committed == form_yaml(taxonomies), (
        f"{FORM_FILE} is stale: run `.venv/bin/casebook form --output {FORM_FILE}`"
    )


def test_the_form_offers_the_taxonomy_and_the_template_sections():
    form = yaml.safe_load((ROOT / FORM_FILE).read_text(encoding="utf-8"))
    fields = {item.get("id"): item for item in form["body"]}
    taxonomies, _ = load_taxonomies(ROOT / "content")
    assert fields["place"]["type"] == "dropdown"
    assert fields["place"]["attributes"]["options"] == [
        t.label for t in taxonomies["places"].terms.values()
    ]
    for name in ("themes", "principles"):
        assert fields[name]["type"] == "checkboxes"
        assert [o["label"] for o in fields[name]["attributes"]["options"]] == [
            t.label for t in taxonomies[name].terms.values()
        ]
    assert fields["partners"]["type"] == "textarea"
    labels = [item["attributes"].get("label") for item in form["body"]]
    assert labels[-7:-1] == [
        "Introduction",
        "What they did",
        "How they work together",
        "What changed",
        "Challenges",
        "Learning for others",
    ]
    assert all(o["required"] for o in fields["consent"]["attributes"]["options"])
    assert len(set(labels)) == len(labels)  # the reader finds answers by their label


def test_a_new_term_in_taxonomy_yml_reaches_the_form(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    text = (ROOT / "content/taxonomy.yml").read_text(encoding="utf-8")
    text = text.replace(
        "    - slug: clip\n",
        "    - slug: new-programme\n      label: A New Programme\n    - slug: clip\n",
    )
    (content / "taxonomy.yml").write_text(text, encoding="utf-8")
    taxonomies, problems = load_taxonomies(content)
    assert problems == []
    assert "    - A New Programme\n" in form_yaml(taxonomies)
    assert form_yaml(taxonomies) != (ROOT / FORM_FILE).read_text(encoding="utf-8")


def test_a_filled_form_becomes_a_file_that_passes_check(project, capsys):
    assert main(["from-issue", str(ISSUES / "filled.json"), "--comment", "reply.md"]) == 0
    out = capsys.readouterr().out
    assert out == "Created content/case_studies/harbour-kitchen-network.md\n"
    path = project / "case_studies/harbour-kitchen-network.md"
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == "Harbour Kitchen Network"
    assert front["place"] == "inverclyde" and "programme" not in front
    assert front["themes"] == ["collaborative-working", "lived-experience"]
    assert front["principles"] == ["citizen-agency", "sharing-resources"]
    # one per line, with the "- " some people type, and Windows line ends
    assert front["partners"] == [
        "Harbour Food Trust",
        "West End Lunch Club",
        "Inverclyde Carers Centre",
    ]
    assert front["focus"] == ["people-with-complex-needs"]
    assert (
        front["summary"].startswith("Three community food projects")
        and "\r" not in (front["summary"])
    )
    (source,) = front["sources"]
    assert front["started"] == 2019 and source["year"] == 2023
    assert source["url"] == "https://example.org/harbour-kitchen-evaluation"
    assert source["section"] == "Findings, pages 4-9"
    text = path.read_text(encoding="utf-8")
    assert "TODO" not in text and "\n## Learning for others\n\nThe evaluation suggests" in text
    assert main(["check", "--content", "content", "--strict"]) == 1  # the fixtures' short bodies
    assert "harbour-kitchen" not in capsys.readouterr().out  # but not a word about this one
    reply = (project.parent / "reply.md").read_text(encoding="utf-8")
    assert "`content/case_studies/harbour-kitchen-network.md`" in reply and "```" not in reply


def test_blank_optional_fields_are_left_out_and_advice_is_reported(project, capsys):
    assert main(["from-issue", str(ISSUES / "minimal.json"), "--comment", "reply.md"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Created content/case_studies/quiet-corner-cafe.md"
    assert out[1:] == [
        "content/case_studies/quiet-corner-cafe.md:20: warning: the body has 35 words; a case "
        "study needs at least 300 to say what was done, how and what changed"
    ]
    path = project / "case_studies/quiet-corner-cafe.md"
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert "_No response_" not in text
    assert not {"started", "focus", "programme"} & set(front)
    assert front["sources"] == [
        {
            "title": "Annual report 2024",
            "publisher": "Moray Memory Group",
            "section": "The whole report",
        }
    ]
    # a '### ' line typed inside an answer stays in that answer
    assert "They opened a café.\n\n### A heading the contributor typed\n\nIt runs" in text
    assert main(["check", "--content", "content"]) == 0
    reply = (project.parent / "reply.md").read_text(encoding="utf-8")
    assert "quiet-corner-cafe.md:20: warning: the body has 35 words" in reply


def test_a_broken_form_is_refused_with_every_reason_and_writes_nothing(project, capsys):
    before = sorted(p.name for p in (project / "case_studies").iterdir())
    assert main(["from-issue", str(ISSUES / "broken.json"), "--comment", "reply.md"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "casebook from-issue: issue #43: 'Place': 'Glasgow' is not one of the form's "
        "choices (did you mean 'Glasgow City'?)",
        "casebook from-issue: issue #43: 'Consent and personal data': both boxes must be "
        "ticked before a case study can be written up",
        "casebook from-issue: issue #43: 'Year the work began': write a four-digit year "
        "such as 2016, not 'about 2015'",
        "casebook from-issue: issue #43: 'Themes': tick at least one box; a maintainer can "
        "help choose",
        "casebook from-issue: issue #43: name at least two partners: a case study is a "
        "collaboration",
    ]
    assert sorted(p.name for p in (project / "case_studies").iterdir()) == before
    reply = (project.parent / "reply.md").read_text(encoding="utf-8")
    assert reply.startswith("This issue could not be turned into a case study yet.")


def test_hostile_text_in_a_form_lands_escaped_where_it_goes(project, capsys):
    issue = json.loads((ISSUES / "filled.json").read_text(encoding="utf-8"))
    hostile = 'Harbour "Kitchen": {a: b} ```` @org/team <script>alert(1)</script>'
    issue["body"] = issue["body"].replace(
        "### Name of the work\n\nHarbour Kitchen Network", f"### Name of the work\n\n{hostile}"
    )
    issue["body"] = issue["body"].replace(
        "### Introduction\n\n", "### Introduction\n\n<iframe src=x></iframe>\n"
    )
    (project.parent / "issue.json").write_text(json.dumps(issue), encoding="utf-8")
    assert main(["from-issue", "issue.json", "--comment", "reply.md"]) == 0
    out = capsys.readouterr().out
    (path,) = (project / "case_studies").glob("harbour-kitchen-a-b-org-team-script*.md")
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == hostile  # the YAML holds the text, and no more than the text
    assert "raw HTML <iframe> is not allowed" in out
    reply = (project.parent / "reply.md").read_text(encoding="utf-8").split("\n")
    # the problem is quoted inside a code fence, so nothing in it renders as markup
    opened = reply.index("```text")
    fenced = reply[opened + 1 : reply.index("```", opened + 1)]
    assert any("raw HTML <iframe>" in line for line in fenced)
    assert any("'title' contains HTML markup" in line for line in fenced)


@pytest.mark.parametrize(
    "text,message",
    [
        ("not json", "issue.json:1: not an issue as JSON"),
        ('{"title": "x"}', "issue.json: no issue 'body' in it"),
        ('{"number": 7, "body": "Hello, I have an idea."}', "issue #7: this issue was not"),
    ],
)
def test_what_is_not_a_form_issue_is_refused_in_one_line(project, capsys, text, message):
    (project.parent / "issue.json").write_text(text, encoding="utf-8")
    assert main(["from-issue", "issue.json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert "save what `gh issue view" in err[0] or "open a new issue from that form" in err[0]


def test_an_existing_case_study_is_never_overwritten(project, capsys):
    assert main(["from-issue", str(ISSUES / "filled.json")]) == 0
    path = project / "case_studies/harbour-kitchen-network.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    assert main(["from-issue", str(ISSUES / "filled.json")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").endswith("Edited by hand.\n")


def test_none_in_an_optional_dropdown_is_no_answer():
    taxonomies, _ = load_taxonomies(ROOT / "content")
    body = json.loads((ISSUES / "filled.json").read_text(encoding="utf-8"))["body"]
    answers = read_issue_body(
        body.replace("### Programme\n\n_No response_", "### Programme\n\nNone"), taxonomies
    )
    assert answers.errors == [] and answers.draft.programme is None
    body = body.replace(
        "### Programme\n\n_No response_", "### Programme\n\nProvider Collaborations"
    )
    assert read_issue_body(body, taxonomies).draft.programme == "provider-collaborations"


def test_a_missing_answer_names_its_heading():
    taxonomies, _ = load_taxonomies(ROOT / "content")
    body = json.loads((ISSUES / "filled.json").read_text(encoding="utf-8"))["body"]
    body = body.replace("### Source publisher\n\nHarbour Food Trust\n\n", "")
    answers = read_issue_body(body, taxonomies)
    assert answers.errors == ["'Source publisher': the issue has no '### Source publisher' section"]
    # an optional field the issue's (older) form did not have is simply left out
    body = re.sub(r"### Focus\n\n.*?\n\n(?=### )", "", body, count=1, flags=re.S)
    answers = read_issue_body(body, taxonomies)
    assert len(answers.errors) == 1 and answers.draft.extra == {}


def test_the_reply_fences_every_line_it_quotes():
    reply = issue_comment(None, ["'Place': '``` @x' is not one of the form's choices"])
    assert "\n````text\n'Place': '``` @x' is not" in reply and reply.endswith("\n````\n")


def test_what_the_form_lets_through_becomes_annotations_on_the_right_lines(project, capsys):
    issue = json.loads((ISSUES / "filled.json").read_text(encoding="utf-8"))
    body = issue["body"].replace(
        "https://example.org/harbour-kitchen-evaluation", "ftp://example.org/report"
    )
    body = body.replace(
        "### Challenges\n\n", "### Challenges\n\nSee [the report](javascript:alert(1)).\n\n"
    )
    issue["body"] = body.replace("### Summary\n\n", "### Summary\n\n" + "Too long. " * 31)
    (project.parent / "issue.json").write_text(json.dumps(issue), encoding="utf-8")
    assert main(["from-issue", "issue.json"]) == 0
    capsys.readouterr()
    path = "content/case_studies/harbour-kitchen-network.md"
    lines = (project.parent / path).read_text(encoding="utf-8").split("\n")
    assert main(["check", "--content", "content", "--format", "github"]) == 1
    annotations = [a for a in capsys.readouterr().out.splitlines() if path in a]
    where = {int(re.search(r"line=(\d+)", a).group(1)): a for a in annotations}
    assert len(where) == 3
    summary, url, link = sorted(where)
    assert lines[summary - 1].startswith("summary: Too long.")
    assert "'summary' is 473 characters; keep it to 300" in where[summary]
    assert lines[url - 1].strip() == "url: ftp://example.org/report"
    assert lines[link - 1] == "See [the report](javascript:alert(1))."
    assert all(a.startswith(f"::error file={path},line=") for a in annotations)
