"""The contributor's path around the code: templates and workflows stay in step with the data."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, unavailable

WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))


def workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text(encoding="utf-8"))


def steps_of(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_ci_workflow_checks_builds_strictly_and_tests_every_pull_request():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    assert "pull_request" in workflow[True]  # YAML reads the key "on" as true
    steps = " ".join(
        step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]
    )
    assert "casebook check" in steps and "mkdocs build --strict" in steps and "make test" in steps


def test_ci_annotates_problems_on_the_lines_and_keeps_a_preview_of_the_site():
    steps = steps_of(workflow("ci.yml"))
    assert any(s.get("run") == ".venv/bin/casebook check --format github" for s in steps)
    (preview,) = [s for s in steps if s.get("with", {}).get("name") == "site-preview"]
    assert "upload-artifact" in preview["uses"] and preview["with"]["path"] == "build/site/"
    assert preview["if"] == "github.event_name == 'pull_request'"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pin_actions_and_keep_event_text_out_of_scripts(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for step in steps_of(data):
        if "uses" in step:  # a tag can be moved; a full commit SHA cannot
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        # event text (an issue's title or body, a branch name) is passed through env:
        assert "${{" not in step.get("run", ""), step["run"]
    assert "permissions" in data, "say what the workflow may do"


def test_an_issue_labelled_case_study_becomes_a_pull_request_safely():
    data = workflow("case-study-from-issue.yml")
    assert data[True] == {"issues": {"types": ["labeled"]}}
    assert data["permissions"] == {}
    (job,) = data["jobs"].values()
    assert job["if"] == "github.event.label.name == 'case-study'"
    assert set(job["permissions"]) == {"contents", "pull-requests", "issues"}
    # the branch name comes from the issue number alone
    assert job["env"]["BRANCH"] == "case-study/issue-${{ github.event.issue.number }}"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert '--json number,title,body > "$RUNNER_TEMP/issue.json"' in script
    assert 'casebook from-issue "$RUNNER_TEMP/issue.json" --comment' in script
    assert 'gh issue comment "$ISSUE"' in script and "--body-file" in script
    checkout = job["steps"][0]
    assert checkout["with"]["persist-credentials"] is False


def test_the_workflows_pass_actionlint():
    actionlint, shellcheck = (Path(sys.executable).parent / n for n in ("actionlint", "shellcheck"))
    if not actionlint.exists() or not shellcheck.exists():
        unavailable("actionlint", "actionlint or shellcheck is not installed: run `make setup`")
    command = [str(actionlint), "-shellcheck", str(shellcheck)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflows_pass_zizmor():
    zizmor = Path(sys.executable).parent / "zizmor"
    if not zizmor.exists():
        unavailable("zizmor", "zizmor is not installed: run `make setup`")
    command = [str(zizmor), "--offline", "--quiet", "--no-progress", ".github/workflows"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_lint_runs_actionlint_and_zizmor():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:")[1].split("\n\n")[0]
    assert "$(BIN)/actionlint -shellcheck $(BIN)/shellcheck" in lint
    assert "$(BIN)/zizmor --offline" in lint


def test_pages_workflow_publishes_the_built_site_from_main():
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]
    uploads = [
        step
        for step in workflow["jobs"]["build"]["steps"]
        if "upload-pages-artifact" in step.get("uses", "")
    ]
    assert uploads[0]["with"]["path"] == "build/site"


def test_ci_entry_point_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make serve" in readme and "make test" in readme


def test_the_site_links_the_repository_the_guide_and_the_form(tmp_path):
    """The repository's address is never guessed: the Pages workflow gives it (REPO_URL,
    from the repository it runs in), and the footer links the repository, the form and
    the contribution guide from it; both paths name files the repository holds."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r'^repo_url: !ENV \[REPO_URL, ""\]$', config, re.MULTILINE)
    pages = (ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    assert "REPO_URL: ${{ github.server_url }}/${{ github.repository }}" in pages
    extra = {
        key: value for key, value in re.findall(r"^  (\w+_path): (\S+)$", config, re.MULTILINE)
    }
    assert (ROOT / extra["contributing_path"].removeprefix("blob/main/")).is_file()
    form = extra["suggest_case_study_path"].split("template=")[1]
    assert (ROOT / ".github/ISSUE_TEMPLATE" / form).is_file()
    footer = (ROOT / "overrides/partials/footer.html").read_text(encoding="utf-8")
    for key in ("suggest_case_study_path", "contributing_path"):
        assert f"config.extra.{key}" in footer
    about = (ROOT / "content/about.md").read_text(encoding="utf-8")
    assert "github.com" not in about  # no address written by hand
