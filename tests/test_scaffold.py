"""`casebook new` and `casebook schema`: the contributor's first two commands."""

import datetime as dt
import json

import jsonschema
import pytest
import yaml
from casebook.cli import main
from casebook.content.catalogue import load_catalogue
from casebook.content.schema import SCHEMA_FILES, schema_json
from casebook.content.taxonomy import load_taxonomies

from .conftest import ROOT

NEW = [
    "new",
    "--title",
    "Peer Café Project",
    "--place",
    "inverclyde",
    "--theme",
    "lived-experience",
    "--principle",
    "citizen-agency",
    "--partner",
    "Org A",
    "--partner",
    "Org B",
    "--no-input",
]


def test_new_writes_a_template_whose_only_problems_are_its_todos(content, capsys):
    assert main([*NEW, "--content", str(content)]) == 0
    out = capsys.readouterr().out
    path = content / "case_studies" / "peer-cafe-project.md"
    assert f"Created {path}" in out and "casebook check" in out and "make serve" in out
    text = path.read_text(encoding="utf-8")
    for heading in [
        "What they did",
        "How they work together",
        "What changed",
        "Challenges",
        "Learning for others",
    ]:
        assert f"## {heading}" in text
    # `new` stamps `published` with the real date, so validate against the real date too.
    _, problems = load_catalogue(content, today=dt.date.today())
    mine = [p for p in problems if p.path.endswith("peer-cafe-project.md") and p.is_error]
    assert mine and all("TODO" in p.message for p in mine)
    # Once the TODOs are written, the file is valid.
    lines = [line for line in text.split("\n") if not line.lstrip().startswith("TODO")]
    fixed = "\n".join(lines).replace(
        "TODO: one or two sentences, at most 300 characters.", "A real summary."
    )
    fixed = fixed.replace("TODO: the report or page the facts come from", "A report")
    fixed = fixed.replace("TODO: who published it", "A publisher")
    fixed = fixed.replace("TODO: the chapter, heading or page you used", "Part 1") + "\nWords.\n"
    path.write_text(fixed, encoding="utf-8")
    _, problems = load_catalogue(content, today=dt.date.today())
    mine = [p for p in problems if p.path.endswith("peer-cafe-project.md")]
    # valid; the template's sections are all there, and only the length is advice
    assert [(p.severity, p.message[:20]) for p in mine] == [("warning", "the body has 4 words")]


def test_new_takes_labels_as_well_as_slugs_from_flags(content):
    flags = [*NEW[:3], "--place", "Glasgow City", *NEW[5:7], "--theme", "Culture shift"]
    assert main([*flags, *NEW[7:], "--programme", "1", "--content", str(content)]) == 0
    data = front_matter_of(content / "case_studies/peer-cafe-project.md")
    assert data["place"] == "glasgow-city"
    assert data["themes"] == ["lived-experience", "culture-shift"]
    assert data["programme"] == "provider-collaborations"


def test_new_refuses_to_overwrite(content, capsys):
    assert main([*NEW, "--content", str(content)]) == 0
    before = (content / "case_studies/peer-cafe-project.md").read_text()
    assert main([*NEW, "--content", str(content)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (content / "case_studies/peer-cafe-project.md").read_text() == before


def test_new_suggests_terms_and_asks_for_missing_flags(content, capsys):
    bad = [*NEW[:3], "--place", "inverclide", *NEW[5:], "--content", str(content)]
    assert main(bad) == 2
    assert "did you mean 'inverclyde'" in capsys.readouterr().err
    assert main(["new", "--title", "X", "--no-input", "--content", str(content)]) == 2
    assert "give --place, --theme, --principle, --partner" in capsys.readouterr().err


def test_new_prompts_in_a_terminal(content, monkeypatch, capsys):
    answers = iter(["Asked Project", "glasgow-city", "culture-shift", "citizen-agency", "One, Two"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["new", "--content", str(content)]) == 0
    front = (content / "case_studies/asked-project.md").read_text().split("---")[1]
    data = yaml.safe_load(front)
    assert data["place"] == "glasgow-city" and data["partners"] == ["One", "Two"]


def test_committed_schemas_match_the_generated_ones():
    taxonomies, _ = load_taxonomies(ROOT / "content")
    for kind, name in SCHEMA_FILES.items():
        committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == schema_json(kind, taxonomies), (
            f"schemas/{name} is stale: run `.venv/bin/casebook schema --output schemas`"
        )


def front_matter_of(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def test_schema_accepts_valid_and_rejects_invalid_front_matter(content):
    taxonomies, _ = load_taxonomies(content)
    schema = json.loads(schema_json("case_study", taxonomies))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for path in (content / "case_studies").glob("*.md"):
        data = front_matter_of(path)
        data.pop("published", None)  # YAML dates load as date objects, not strings
        assert list(validator.iter_errors(data)) == [], path
    bad = front_matter_of(content / "case_studies/alpha-network.md")
    bad.pop("published")
    bad["themes"] = ["not-a-theme"]
    bad["partners"] = ["only one"]
    bad["colour"] = "red"
    assert len(list(validator.iter_errors(bad))) == 3


@pytest.mark.parametrize("kind", ["case_study", "policy"])
def test_schema_command_prints_json(kind, capsys):
    assert main(["schema", "--kind", kind, "--content", str(ROOT / "content")]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "object"


def ask_with(monkeypatch, answers: list[str]) -> list[str]:
    """Run `casebook new`'s questions on these answers; what it printed, line by line."""
    said: list[str] = []
    replies = iter(answers)

    def read(prompt: str) -> str:
        said.append(prompt)
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", read)
    monkeypatch.setattr("builtins.print", lambda *a, **k: said.extend(" ".join(a).split("\n")))
    return said


def test_new_asks_again_at_once_with_the_nearest_choice(content, monkeypatch):
    said = ask_with(
        monkeypatch,
        ["", "Asked Again", "Glasgo", "1", "1, Culture shift, lived-experiance", "1, 3", "1"]
        + ["A", "B"],
    )
    assert main(["new", "--content", str(content)]) == 0
    assert "  unknown place 'Glasgo' (did you mean 'glasgow-city'?)" in said
    assert "  unknown theme 'lived-experiance' (did you mean 'lived-experience'?)" in said
    assert "  A case study is a collaboration: name 1 more partner." in said
    assert said.count("Place (a number or a name): ") == 2  # the place, not every question
    data = front_matter_of(content / "case_studies/asked-again.md")
    assert data["place"] == "glasgow-city"
    assert data["themes"] == ["collaborative-working", "culture-shift"]
    assert data["partners"] == ["A", "B"]


def test_new_lists_choices_numbered_in_columns(content, monkeypatch):
    from casebook.prompts import numbered_columns

    said = ask_with(monkeypatch, ["T", "nowhere"])
    assert main(["new", "--content", str(content)]) == 2  # input ends: stop, write nothing
    assert not (content / "case_studies/t.md").exists()
    assert numbered_columns(["A", "B", "C", "D", "E"], width=20) == (
        "  1 A    4 D\n  2 B    5 E\n  3 C"
    )
    assert any(line.startswith("  1 ") for line in said)


def test_new_refuses_a_title_already_taken_before_asking_more(content, monkeypatch):
    said = ask_with(monkeypatch, ["Alpha Network", "Fresh"])
    main(["new", "--content", str(content)])
    assert any("alpha-network.md already exists; choose another title" in s for s in said)
