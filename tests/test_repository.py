"""The contributor's path around the code: templates and workflows stay in step with the data."""

import yaml

from .conftest import ROOT


def test_ci_workflow_checks_builds_strictly_and_tests_every_pull_request():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    assert "pull_request" in workflow[True]  # YAML reads the key "on" as true
    steps = " ".join(
        step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]
    )
    assert "casebook check" in steps and "mkdocs build --strict" in steps and "make test" in steps


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
