"""The editor wiring: `.remarkrc.mjs` makes remark (the engine of VS Code's remark extension)
check front matter against the committed JSON Schemas as you type. These tests run that same
remark configuration and check it agrees with `casebook check` on the line of each problem."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue

from .conftest import ROOT, unavailable

REMARK = ROOT / "node_modules" / ".bin" / "remark"
SAMPLE = "content/case_studies/fair-deal-and-sol.md"


@pytest.fixture(scope="module")
def remark() -> Path:
    if not REMARK.exists() or shutil.which("node") is None:
        unavailable("editor validation", "remark is not installed (make test runs npm ci)")
    return REMARK


def editor_warnings(remark: Path, text: str, as_path: str) -> list[tuple[int, str]]:
    """(line, message) for each warning remark gives `text` as if it were the file `as_path`."""
    result = subprocess.run(
        [str(remark), "--no-color", "--quiet", "--file-path", as_path],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    warnings = []
    for line in result.stderr.splitlines():
        match = re.match(r"\s*(?:(\d+):\d+(?:-\d+:\d+)?)?\s+warning\s+(.*)", line)
        if match:
            warnings.append((int(match.group(1) or 0), match.group(2)))
    assert ("warning" in result.stderr) == bool(warnings), result.stderr
    return warnings


def check_lines(tmp_path: Path, name: str, text: str) -> list[int]:
    """The lines `casebook check` reports for `text` saved as a case study beside the real
    content."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "case_studies" / f"{name}.md").write_text(text, encoding="utf-8")
    _, problems = load_catalogue(content, today=dt.date.today())
    return sorted(p.line for p in problems if p.path.endswith(f"{name}.md"))


def test_every_committed_page_passes_the_editor_check(remark):
    result = subprocess.run(
        [str(remark), "--no-color", "--quiet", "--frail", "--no-stdout"]
        + ["content/case_studies", "content/policy"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


BREAKAGES = {
    "unknown place": (r"^place: .*$", "place: inverclide", "enum"),
    "unknown theme": (r"^  - collaborative-working$", "  - collaborative-work", "enum"),
    "year as text": (r"^programme: ", "started: the year before\nprogramme: ", "integer"),
    "long summary": (r"^summary: .*$", "summary: " + "words " * 60, "300"),
}


@pytest.mark.parametrize("kind", BREAKAGES)
def test_the_editor_flags_the_line_casebook_check_flags(remark, tmp_path, kind):
    pattern, replacement, expected = BREAKAGES[kind]
    original = (ROOT / SAMPLE).read_text(encoding="utf-8")
    assert re.search(pattern, original, flags=re.M), f"{SAMPLE} no longer has {pattern!r}"
    broken = re.sub(pattern, replacement, original, count=1, flags=re.M)
    if kind == "long summary":  # drop the original summary's continuation lines
        broken = re.sub(r"(summary: [^\n]*\n)(  [^\n]*\n)+", r"\1", broken, count=1)
    name = "editor-check-sample"
    warnings = editor_warnings(remark, broken, f"content/case_studies/{name}.md")
    assert len(warnings) == 1, warnings
    line, message = warnings[0]
    assert expected in message.lower() or expected in message
    assert line in check_lines(tmp_path, name, broken)


def test_an_unknown_field_is_flagged_on_the_front_matter(remark):
    # Ajv reports additionalProperties against the whole object, so the editor marks the
    # front matter; `casebook check` names the field and its line (tested in test_validate).
    original = (ROOT / SAMPLE).read_text(encoding="utf-8")
    broken = original.replace("\nprogramme: ", "\nprogramme_name: ", 1)
    warnings = editor_warnings(remark, broken, "content/case_studies/x.md")
    assert [message for _, message in warnings if "additional properties" in message], warnings


def test_a_policy_page_without_its_kind_is_flagged(remark):
    text = "---\ntitle: A page\nsummary: What it is.\n---\n\nWords.\n"
    warnings = editor_warnings(remark, text, "content/policy/a-page.md")
    assert any("kind" in message for _, message in warnings), warnings


def test_pages_outside_the_schema_globs_are_left_alone(remark):
    assert editor_warnings(remark, "---\nanything: 1\n---\n\nText.\n", "content/about.md") == []
