"""Shared fixtures: a small content tree copied per test, and helpers to write files."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
TODAY = dt.date(2026, 11, 24)

VALID_CASE = """\
---
title: Delta Project
summary: A valid test case study.
place: inverclyde
themes:
  - collaborative-working
principles:
  - citizen-agency
partners:
  - Delta Trust
  - Epsilon Group
started: 2016
policies:
  - test-act
---

A body with words.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the fixture content tree."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def unavailable(what: str, reason: str):
    """Skip locally with the reason; under CI a missing tool is a failure, since the
    Makefile installs everything the tests need."""
    import os

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} cannot run under CI: {reason}")
    pytest.skip(reason)


def write(directory: Path, relative: str, text: str) -> Path:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def case_with(**replacements: str) -> str:
    """VALID_CASE with whole front-matter lines replaced: case_with(started="started: 2999")."""
    text = VALID_CASE
    for key, line in replacements.items():
        lines = text.split("\n")
        start = next(i for i, item in enumerate(lines) if item.startswith(f"{key}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith("  - "):
            end += 1
        lines[start:end] = [line] if line else []
        text = "\n".join(lines)
    return text


def site_config(content: Path, site_dir: Path) -> Path:
    """An mkdocs.yml for a content tree, using the project's own theme settings."""
    config = content.parent / "mkdocs.yml"
    project = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The fixture tree has none of the project's guides: give it a nav of its own.
    project = project.split("\nnav:")[0] + (
        "\nnav:\n  - Home: index.md\n  - Case studies: case_studies/index.md\n"
        "  - Themes: themes/index.md\n  - Policy: policy/index.md\n"
    )
    project = project.replace("docs_dir: content", f"docs_dir: {content}")
    project = project.replace("site_dir: build/site", f"site_dir: {site_dir}")
    config.write_text(project, encoding="utf-8")
    return config


def run_mkdocs_build(content: Path, site_dir: Path, index_dir: Path, strict: bool = True):
    import os
    import subprocess
    import sys

    config = site_config(content, site_dir)
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config)]
    if strict:
        command.append("--strict")
    environment = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", CASEBOOK_SEARCH_INDEX_DIR=str(index_dir)
    )
    return subprocess.run(command, capture_output=True, text=True, env=environment)


def pagefind_records(site) -> dict[str, dict]:
    """The static index's records by URL, read from its (gzipped) fragment files."""
    records = {}
    for fragment in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


def build_real_site(root: Path) -> tuple[Path, Path]:
    """The project's own content, built by `mkdocs build --strict` into root/site, with
    the Whoosh index in root/index."""
    import os
    import subprocess
    import sys

    environment = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", CASEBOOK_SEARCH_INDEX_DIR=str(root / "index")
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "site", root / "index"
