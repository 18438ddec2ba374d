"""The previous site set aside before a bare `mkdocs build` cleans the site directory, and
removed while the build renders."""

from __future__ import annotations

import os

from casebook.site.directories import PREVIOUS_PREFIX, PreviousSite

from .conftest import write


def test_the_last_builds_files_go_aside_and_are_gone_after_wait(tmp_path):
    site = tmp_path / "site"
    write(site, "index.html", "old home")
    write(site, "case_studies/alpha/index.html", "old alpha")
    write(site, ".nojekyll", "")  # hidden: MkDocs' clean keeps it, and so does this
    previous = PreviousSite(site)
    assert sorted(os.listdir(site)) == [f"{PREVIOUS_PREFIX}{os.getpid()}", ".nojekyll"]
    write(site, "index.html", "new home")  # the build writes meanwhile
    previous.wait()
    assert sorted(os.listdir(site)) == [".nojekyll", "index.html"]
    assert (site / "index.html").read_text() == "new home"


def test_what_a_killed_build_set_aside_is_removed_and_a_linked_site_is_left_alone(tmp_path):
    site = tmp_path / "site"
    write(site, f"{PREVIOUS_PREFIX}999999999/index.html", "a killed build's")
    write(site, "index.html", "old")
    PreviousSite(site).wait()
    assert os.listdir(site) == []
    # build/site as a link to a live generation: MkDocs writes into it as it always did
    generation = tmp_path / ".site.gen-1"
    write(generation, "index.html", "live")
    link = tmp_path / "live"
    link.symlink_to(generation.name)
    PreviousSite(link).wait()
    assert (generation / "index.html").read_text() == "live"
