"""`casebook check` as a contributor runs it: exit codes and path:line output."""

import json
import os
import subprocess
import sys

from casebook.cli import main

from .conftest import ROOT, VALID_CASE, write


def test_valid_tree_exits_0_with_a_one_line_summary(content, capsys):
    assert main(["check", "--content", str(content)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("ok: 3 case studies, 2 policy pages")


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
    lines = captured.out.strip().splitlines()
    assert lines == [
        "content/case_studies/delta.md:4: unknown place 'inverclide' in 'place' "
        "(did you mean 'inverclyde'?); see places in content/taxonomy.yml",
        "content/case_studies/delta.md:6: unknown theme 'colaborative-working' in 'themes' "
        "(did you mean 'collaborative-working'?); see themes in content/taxonomy.yml",
    ]
    assert "2 problems in 1 file" in captured.err


def test_json_output(content, capsys):
    write(content, "case_studies/delta.md", VALID_CASE.replace("started: 2016", "started: 2999"))
    assert main(["check", "--content", str(content), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert problems[0]["line"] == 12 and "future" in problems[0]["message"]


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
