"""`casebook check` as a contributor runs it: exit codes and path:line output."""

import json
import os
import subprocess
import sys

from casebook.cli import main

from .conftest import ROOT, VALID_CASE, write
from .test_validate import BODY


def test_valid_tree_exits_0_with_a_one_line_summary(content, capsys):
    for path in (content / "case_studies").glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8") + BODY, encoding="utf-8")
    assert main(["check", "--content", str(content)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["ok: 3 case studies, 2 policy pages and 1 other page checked, no problems"]


def test_warnings_are_shown_but_pass_unless_strict(content, capsys):
    assert main(["check", "--content", str(content)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 7 and all(": warning: " in line for line in out[:6])
    assert out[-1].endswith("checked, no errors and 6 warnings")
    assert main(["check", "--content", str(content), "--strict"]) == 1
    captured = capsys.readouterr()
    assert ": warning: " not in captured.out and "the body has 16 words" in captured.out
    assert "6 problems in 3 files" in captured.err


def test_problems_exit_1_one_line_each_with_relative_paths(content, capsys, monkeypatch):
    write(
        content,
        "case_studies/delta.md",
        VALID_CASE.replace("  - collaborative-working", "  - colaborative-working").replace(
            "place: inverclyde", "place: inverclide"
        ),
    )
    monkeypatch.chdir(content.parent)
    assert main(["check", "--content", "content"]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.out.strip().splitlines() if ": warning: " not in line]
    assert lines == [
        "content/case_studies/delta.md:4: unknown place 'inverclide' in 'place' "
        "(did you mean 'inverclyde'?); see places in content/taxonomy.yml",
        "content/case_studies/delta.md:6: unknown theme 'colaborative-working' in 'themes' "
        "(did you mean 'collaborative-working'?); see themes in content/taxonomy.yml",
    ]
    assert "2 problems in 1 file and 8 warnings" in captured.err


def test_json_output(content, capsys):
    write(content, "case_studies/delta.md", VALID_CASE.replace("started: 2016", "started: 2999"))
    assert main(["check", "--content", str(content), "--json"]) == 1
    problems = [p for p in json.loads(capsys.readouterr().out) if p["path"].endswith("delta.md")]
    assert [p["severity"] for p in problems] == ["error", "warning", "warning"]
    assert problems[0] == {
        "path": str(content / "case_studies/delta.md"),
        "line": 12,
        "column": 0,
        "severity": "error",
        "message": "'started' 2999 is in the future; give the year the work actually started",
    }


def test_github_format_annotates_the_line_and_escapes_what_would_end_the_command(
    content, capsys, monkeypatch
):
    text = VALID_CASE.replace("place: inverclyde", "place: inverclyde: glasgow")
    write(content, "case_studies/a,b:c.md", text)
    write(content, "case_studies/short.md", VALID_CASE.replace("Delta Project", "Short"))
    monkeypatch.chdir(content.parent)
    assert main(["check", "--content", "content", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "::error file=content/case_studies/a%2Cb%3Ac.md,line=4,col=18,title=casebook check"
        "::invalid YAML (mapping values are not allowed in this context); check the "
        "indentation, and put values that contain a colon or start with a quote in double quotes"
    )
    assert out[-1].startswith(
        "::warning file=content/case_studies/short.md,line=17,title=casebook check::the body"
    )
    assert len(out) == 1 + 2 + 6  # the parse error, short.md's two and the fixtures' six


def test_a_message_with_a_newline_stays_one_annotation():
    from casebook.content.problems import Problem

    annotation = Problem("a.md", 3, "100% wrong\nsecond line").as_github_annotation()
    assert annotation == "::error file=a.md,line=3,title=casebook check::100%25 wrong%0Asecond line"


def test_missing_content_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["check", "--content", str(tmp_path / "nope")]) == 2
    assert "no content directory" in capsys.readouterr().err


def test_the_installed_console_script_never_shows_a_traceback(content):
    (content / "case_studies" / "bad.md").write_bytes(b"---\ntitle: \xff\n---\n")
    write(content, "case_studies/worse.md", "---\n: : :\n  - [\n---\n")
    script = os.path.join(os.path.dirname(sys.executable), "casebook")
    result = subprocess.run(
        [script, "check", "--content", str(content)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "bad.md:2: file is not UTF-8" in result.stdout
    assert "worse.md:" in result.stdout


def test_search_without_an_index_says_to_build(tmp_path, capsys):
    assert main(["search", "anything", "--index", str(tmp_path / "none")]) == 2
    assert "run `make build` first" in capsys.readouterr().err


def test_search_json_and_unknown_filters(content, tmp_path, capsys):
    from .test_search import index_content

    index_content(content, tmp_path / "index")
    common = ["--index", str(tmp_path / "index"), "--content", str(content)]
    assert main(["search", "keyworker", "--json", *common]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [h["slug"] for h in hits] == ["alpha-network"] and "<mark" in hits[0]["snippet"]
    assert main(["search", "test", "--theme", "cultur-shift", *common]) == 2
    assert "did you mean 'culture-shift'" in capsys.readouterr().err
    assert main(["search", "kewyorker", *common]) == 0
    assert "Did you mean: keyworker?" in capsys.readouterr().out
    assert main(["search", "test", "--filter", "focus=people-sleeping-rough", *common]) == 0
    assert "Alpha Network" in capsys.readouterr().out


def test_a_reader_that_stops_reading_ends_the_command_quietly():
    script = os.path.join(os.path.dirname(sys.executable), "casebook")
    command = [script, "form", "--content", str(ROOT / "content")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head` does once it has its lines
    error = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 141
    assert error == ""  # no BrokenPipeError traceback, no "Exception ignored" line


def test_every_command_has_help_and_an_example():
    from casebook.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    assert {"check", "new", "form", "from-issue", "search", "serve"} <= set(commands.choices)
    for name, command in commands.choices.items():
        assert command.description and command.epilog.startswith("example: "), name
        assert f"casebook {name} " in command.epilog, name
