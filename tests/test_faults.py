"""Faults a build must survive: a damaged index or render cache, a build killed at any
moment, leftovers of killed builds, a read-only disk and a file-size limit. Each ends in
a whole site and index, a clear line (never a traceback), and a next build that works."""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from casebook.cli import main
from casebook.search.whoosh_index import (
    IndexDamaged,
    SearchIndex,
    index_damage,
    search_documents,
    update_index,
)

from .conftest import VALID_CASE, cache_records, cache_text, site_config, write, write_cache
from .test_search import index_content

# -- the search index -------------------------------------------------------------------


def largest_segment(index_dir: Path) -> Path:
    return max(
        (p for p in index_dir.iterdir() if p.suffix == ".seg"), key=lambda p: p.stat().st_size
    )


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def zero(path: Path) -> None:
    path.write_bytes(bytes(path.stat().st_size))


def delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("damage", [truncate, zero, delete])
def test_a_damaged_index_is_found_and_rebuilt_with_a_warning(content, tmp_path, damage, caplog):
    index_dir = tmp_path / "index"
    catalogue, _ = index_content(content, index_dir)
    damage(largest_segment(index_dir))
    assert index_damage(index_dir) is not None
    with pytest.raises(IndexDamaged):
        SearchIndex(index_dir)
    report = update_index(index_dir, search_documents(catalogue), list(catalogue.taxonomies))
    assert report.rebuilt and report.added == len(search_documents(catalogue))
    assert "is damaged" in caplog.text and "rebuilding it" in caplog.text
    assert index_damage(index_dir) is None
    assert SearchIndex(index_dir).search("keyworker").hits[0].slug == "alpha-network"


# -- whole builds -----------------------------------------------------------------------


class Project:
    """A content tree, its mkdocs.yml and `casebook build` commands against one build/."""

    def __init__(self, content: Path, tmp_path: Path):
        self.content = content
        self.config = site_config(content, tmp_path / "unused")
        self.build_dir = tmp_path / "out"
        self.site, self.index = self.build_dir / "site", self.build_dir / "search_index"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "casebook",
            "build",
            "--config",
            str(self.config),
            "--site-dir",
            str(self.site),
            "--index-dir",
            str(self.index),
        ]

    def build(self, **options) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(), capture_output=True, text=True, **options)

    def cache(self) -> Path:
        return self.config.parent / "build" / "cache" / "rendered.json"

    def assert_whole(self, slugs=("alpha-network", "beta-connections", "gamma-pilot")) -> None:
        for slug in slugs:
            assert (self.site / "case_studies" / slug / "index.html").is_file(), slug
        exported = json.loads((self.site / "data/case_studies.json").read_text())
        assert {case["slug"] for case in exported} >= set(slugs)
        assert (self.site / "sitemap.xml").is_file()
        index = SearchIndex(self.index)  # opening checks every file's checksum
        assert index.search("keyworker").hits[0].slug == "alpha-network"
        index.close()

    def assert_no_leftovers(self) -> None:
        names = [p.name for p in self.build_dir.iterdir()]
        assert not [
            n
            for n in names
            if n.startswith((".staging-", ".site.link", ".search_")) and ".gen-" not in n
        ], names
        for live in ("site", "search_index"):
            generations = [n for n in names if n.startswith(f".{live}.gen-")]
            assert len(generations) <= 2, names


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_a_damaged_index_or_render_cache_is_rebuilt_and_the_build_succeeds(content, tmp_path):
    project = Project(content, tmp_path)
    first = project.build()
    assert first.returncode == 0, first.stderr

    # A zeroed segment in the live index, and one render-cache record emptied.
    zero(largest_segment(project.index))
    checksum = project.cache().read_text(encoding="utf-8").partition("\n")[0]
    header, records = cache_records(project.cache())
    records[next(iter(records))] = {}
    write_cache(project.cache(), cache_text(header, records), checksum)
    second = project.build()
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert "search index" in second.stderr and "is damaged" in second.stderr
    assert "render cache" in second.stderr and "is damaged" in second.stderr
    project.assert_whole()

    # build/cache a file, not a directory
    shutil.rmtree(project.cache().parent)
    project.cache().parent.write_text("not a directory")
    third = project.build()
    assert third.returncode == 0, third.stderr
    assert "Traceback" not in third.stderr and "is a file" in third.stderr
    assert project.cache().is_file()
    project.assert_whole()


def test_builds_killed_at_random_moments_leave_a_whole_site_and_index(content, tmp_path):
    project = Project(content, tmp_path)
    started = time.monotonic()
    first = project.build()
    assert first.returncode == 0, first.stderr
    duration = time.monotonic() - started
    chance = random.Random(20261126)  # seeded: a failure can be replayed
    slugs = ["alpha-network", "beta-connections", "gamma-pilot"]
    published = []  # whether each killed build had gone live before it died
    for kill in range(7):
        slug = f"added-{kill}"
        write(content, f"case_studies/{slug}.md", VALID_CASE.replace("Delta Project", slug))
        build = subprocess.Popen(
            project.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(chance.uniform(0.05, duration * 1.1))
        build.kill()
        build.wait()
        deadline = time.monotonic() + 10  # its mkdocs and indexing processes die with it
        while processes_mentioning(str(project.config)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_mentioning(str(project.config)) == [], f"orphans after kill {kill}"
        project.assert_whole(slugs)
        published.append((project.site / "case_studies" / slug / "index.html").is_file())
    assert not all(published), "every kill came after the build finished: nothing tested"
    last = project.build()
    assert last.returncode == 0, last.stderr
    slugs += [f"added-{kill}" for kill in range(7)]
    project.assert_whole(slugs)
    project.assert_no_leftovers()
    assert time.monotonic() - started < 90


def test_the_next_build_removes_what_killed_builds_left(content, tmp_path):
    project = Project(content, tmp_path)
    assert project.build().returncode == 0
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = gone.stdout.strip()  # a process id no longer in use
    leftovers = [
        project.build_dir / f".staging-{dead}" / "site",
        project.build_dir / f".site.gen-00000000000000000001-{dead}",
        project.build_dir / f".search_index.staging-{dead}",
    ]
    for leftover in leftovers:
        leftover.mkdir(parents=True)
        (leftover / "page.html").write_text("half")
    os.symlink("nowhere", project.build_dir / f".site.link-{dead}")
    second = project.build()
    assert second.returncode == 0, second.stderr
    project.assert_no_leftovers()
    assert not any(leftover.exists() for leftover in leftovers)


def test_a_second_build_while_one_runs_is_refused_with_a_clear_line(content, tmp_path):
    import fcntl

    project = Project(content, tmp_path)
    project.build_dir.mkdir()
    with open(project.build_dir / ".build.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        refused = project.build()
    assert refused.returncode == 1
    assert "another build is running" in refused.stderr and "Traceback" not in refused.stderr


def test_a_read_only_build_directory_is_one_line_and_the_site_is_kept(
    content, tmp_path, capfd, monkeypatch
):
    project = Project(content, tmp_path)
    assert project.build().returncode == 0
    before = (project.site / "index.html").read_bytes()

    def read_only(source, target):
        raise OSError(errno.EROFS, "Read-only file system", str(source))

    # Running as root ignores permissions, so the disk's answer is imitated.
    monkeypatch.setattr("casebook.site.directories.os.rename", read_only)
    code = main(project.command()[3:])
    error = capfd.readouterr().err
    assert code == 1 and "Traceback" not in error
    last = error.strip().splitlines()[-1]
    assert "Read-only file system" in last and "make it writable" in last
    assert "previous site" in last
    assert (project.site / "index.html").read_bytes() == before
    monkeypatch.undo()
    project.assert_no_leftovers()


def test_a_file_size_limit_is_one_line_and_the_site_is_kept(content, tmp_path):
    project = Project(content, tmp_path)
    assert project.build().returncode == 0
    before = (project.site / "index.html").read_bytes()
    write(content, "case_studies/delta.md", VALID_CASE)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    limited = project.build(preexec_fn=small_files)
    assert limited.returncode == 1
    assert "Traceback" not in limited.stderr
    assert "File too large" in limited.stderr and "ulimit -f" in limited.stderr
    assert (project.site / "index.html").read_bytes() == before
    project.assert_whole()
    again = project.build()
    assert again.returncode == 0, again.stderr
    project.assert_whole(["alpha-network", "delta"])


def test_a_published_site_archives_as_plain_files_for_github_pages(content, tmp_path):
    project = Project(content, tmp_path)
    assert project.build().returncode == 0
    assert project.site.is_symlink()
    archive = tmp_path / "artifact.tar"
    # The command actions/upload-pages-artifact runs on the path it is given.
    subprocess.run(
        [
            "tar",
            "--dereference",
            "--hard-dereference",
            "--directory",
            str(project.site),
            "-cf",
            str(archive),
            ".",
        ],
        check=True,
    )
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    assert all(member.isfile() or member.isdir() for member in members)
    assert "./index.html" in {member.name for member in members}
