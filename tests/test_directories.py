"""Publishing a build as the live generation, in process on a tmp_path: what a reader
finds at the live path after each swap, what is kept for readers part-way through the
one before, and which leftovers of killed builds the next publish removes."""

import os
import subprocess
import sys

from casebook.site.directories import (
    PREVIOUS_PREFIX,
    PreviousSite,
    live_generation,
    remove_dead_staging,
    remove_retired,
    swap_directory,
)

from .conftest import write


def staged(tmp_path, name, text):
    tree = tmp_path / name
    tree.mkdir(parents=True)
    (tree / "index.html").write_text(text)
    return tree


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    return int(child.stdout)


def generations(build):
    return sorted(p.name for p in build.iterdir() if p.name.startswith(".site.gen-"))


def test_the_first_swap_makes_the_live_path_a_relative_link_to_a_whole_generation(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    first = staged(tmp_path, "first", "one")
    swap_directory(first, build / "site")
    live = build / "site"
    assert live.is_symlink() and (live / "index.html").read_text() == "one"
    target = os.readlink(live)
    # relative, so the build directory can be moved; named for its live path and builder
    assert "/" not in target
    prefix, _, rest = target.partition(".site.gen-")
    stamp, _, pid = rest.partition("-")
    assert prefix == "" and len(stamp) == 20 and stamp.isdigit() and pid == str(os.getpid())
    assert not first.exists()  # moved, not copied
    assert live_generation(live) == build / target
    assert sorted(p.name for p in build.iterdir()) == [target, "site"]


def test_each_swap_keeps_exactly_the_generation_before(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    live = build / "site"
    swap_directory(staged(tmp_path, "a", "one"), live)
    first = live_generation(live)
    swap_directory(staged(tmp_path, "b", "two"), live)
    second = live_generation(live)
    assert (live / "index.html").read_text() == "two"
    assert generations(build) == sorted([first.name, second.name])  # a reader of one keeps it
    assert (first / "index.html").read_text() == "one"
    swap_directory(staged(tmp_path, "c", "three"), live)
    third = live_generation(live)
    assert (live / "index.html").read_text() == "three"
    assert generations(build) == sorted([second.name, third.name])
    assert not first.exists()
    assert not any(p.name.startswith(".site.link-") for p in build.iterdir())


def test_a_real_directory_from_before_generations_becomes_the_previous_one(tmp_path):
    build = tmp_path / "build"
    live = staged(build, "site", "old")
    swap_directory(staged(tmp_path, "new", "new"), live)
    assert live.is_symlink() and (live / "index.html").read_text() == "new"
    older = [name for name in generations(build) if name != live_generation(live).name]
    assert older == [f".site.gen-{0:020d}-{os.getpid()}"]
    assert (build / older[0] / "index.html").read_text() == "old"


def test_a_staged_link_publishes_the_tree_it_names(tmp_path):
    """The plugin publishes its index inside the build's staging area; the build then
    publishes that staging area's link, and the tree behind it is what goes live."""
    staging = tmp_path / "staging"
    staging.mkdir()
    swap_directory(staged(tmp_path, "tree", "inner"), staging / "site")
    build = tmp_path / "build"
    build.mkdir()
    swap_directory(staging / "site", build / "site")
    assert (build / "site" / "index.html").read_text() == "inner"
    assert not (build / "site").resolve().is_relative_to(staging)


def test_retired_generations_and_dead_builders_leftovers_are_removed(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    live = build / "site"
    swap_directory(staged(tmp_path, "a", "one"), live)
    swap_directory(staged(tmp_path, "b", "two"), live)
    previous, current = generations(build)
    dead = dead_pid()
    older = staged(build, f".site.gen-{1:020d}-{dead}", "older")  # before both: retired
    orphan = staged(build, f".site.gen-{'9' * 20}-{dead}", "killed")  # a killed build's
    retired = staged(build, ".site.retired-123", "retired")
    os.symlink(current, build / f".site.link-{dead}")  # a half-made link of a dead build
    os.symlink(current, build / f".site.link-{os.getpid()}")  # one being made now
    os.symlink(current, build / ".site.link-nopid")
    other = staged(build, f".search_index.gen-{1:020d}-{dead}", "another live path's")
    unrelated = staged(build, "cache", "kept")
    remove_retired(live)
    assert not older.exists() and not retired.exists()
    assert orphan.name > current and not orphan.exists()
    assert sorted(p.name for p in build.iterdir()) == sorted(
        [previous, current, "site", f".site.link-{os.getpid()}", other.name, unrelated.name]
    )
    assert (live / "index.html").read_text() == "two"


def test_without_a_live_link_only_leftovers_go(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    stale = staged(build, f".site.gen-{1:020d}-1", "stale")
    remove_retired(build / "site")  # no live generation: nothing is kept
    assert not stale.exists()
    remove_retired(tmp_path / "nowhere" / "site")  # no build directory yet: nothing to do
    assert live_generation(build / "site") is None
    assert live_generation(staged(build, "site", "real")) is None  # a real directory


def test_dead_staging_directories_are_removed_and_live_ones_kept(tmp_path):
    dead = dead_pid()
    gone = staged(tmp_path, f".site.staging-{dead}", "killed build")
    mine = staged(tmp_path, f".site.staging-{os.getpid()}", "this build")
    other = staged(tmp_path, f".index.staging-{dead}", "another prefix")
    stray = tmp_path / f".site.staging-{dead_pid()}-file"
    stray.write_text("a file, not a build's directory")  # is left, and stops nothing
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as builder:
        running = staged(tmp_path, f".site.staging-{builder.pid}", "another build, running")
        try:
            remove_dead_staging(tmp_path, ".site.staging-")
            assert builder.poll() is None  # asked whether it is alive, never signalled
        finally:
            builder.kill()
    assert not gone.exists()
    assert mine.exists() and running.exists() and other.exists() and stray.exists()
    remove_dead_staging(tmp_path / "nowhere", ".site.staging-")  # no error, nothing to do


def test_a_builder_run_by_another_user_counts_as_running(tmp_path, monkeypatch):
    def not_permitted(pid, signal):
        raise PermissionError(pid)

    other_user = staged(tmp_path, ".site.staging-4242", "another user's build")
    monkeypatch.setattr(os, "kill", not_permitted)
    remove_dead_staging(tmp_path, ".site.staging-")
    assert other_user.exists()


def test_a_live_path_with_a_hyphen_keeps_the_link_its_builder_is_making(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    live = build / "my-site"
    swap_directory(staged(tmp_path, "a", "one"), live)
    making = build / f".my-site.link-{os.getpid()}"
    os.symlink(live_generation(live).name, making)
    remove_retired(live)
    assert making.is_symlink()


def test_stray_files_and_a_link_removed_meanwhile_do_not_stop_a_publish(tmp_path, monkeypatch):
    from pathlib import Path

    build = tmp_path / "build"
    build.mkdir()
    live = build / "site"
    swap_directory(staged(tmp_path, "a", "one"), live)
    stray = build / ".site.retired-note"
    stray.write_text("a file where a retired tree would be")
    dead = dead_pid()
    os.symlink(live_generation(live).name, build / f".site.link-{dead}")
    unlink = Path.unlink

    def raced(path, missing_ok=False):  # another build removed it a moment before
        unlink(path)
        raise FileNotFoundError(path)

    monkeypatch.setattr(Path, "unlink", raced)
    remove_retired(live)
    monkeypatch.undo()
    assert not (build / f".site.link-{dead}").is_symlink()
    assert stray.exists()  # left for a person to look at; the build goes on
    assert (live / "index.html").read_text() == "one"


# -- the previous site, set aside before a bare `mkdocs build` cleans it --------------


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


def test_the_folders_a_build_links_from_stay_aside_until_wait(tmp_path):
    """The open data and the bundle are left for the build's writers to link unchanged
    files from; the rest goes at once, and wait() takes what was kept."""
    site = tmp_path / "site"
    write(site, "index.html", "old home")
    write(site, "data/cite/alpha.bib", "old citation")
    previous = PreviousSite(site, keep=("data", "pagefind"))  # no bundle this time
    previous.process.join(timeout=30)
    assert os.listdir(previous.aside) == ["data"]
    assert (previous.aside / "data/cite/alpha.bib").read_text() == "old citation"
    previous.wait()
    assert os.listdir(site) == []


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


def test_the_previous_site_is_removed_by_a_second_process_before_wait(tmp_path):
    """The removal runs beside the build: the folder set aside goes without wait() (which
    only makes sure), and wait() may be called again."""
    site = tmp_path / "site"
    for number in range(50):
        write(site, f"case_studies/case-{number}/index.html", "old")
    previous = PreviousSite(site)
    aside = site / f"{PREVIOUS_PREFIX}{os.getpid()}"
    assert previous.process is not None and previous.process.name == "casebook-clear-previous"
    previous.process.join(timeout=30)  # the second process, on its own
    assert previous.process.exitcode == 0 and not aside.exists()
    previous.wait()
    previous.wait()  # a second call finds nothing left to do
    assert os.listdir(site) == []


def test_a_folder_left_under_this_process_id_is_replaced_not_merged(tmp_path):
    """A leftover named for this very process (a pid reused after a killed build) is
    cleared first, so setting the site aside cannot fail on it."""
    site = tmp_path / "site"
    write(site, f"{PREVIOUS_PREFIX}{os.getpid()}/stale.html", "an older build's")
    write(site, "index.html", "the last build's")
    PreviousSite(site).wait()
    assert os.listdir(site) == []


def test_without_fork_wait_removes_the_previous_site_itself(tmp_path, monkeypatch):
    """Where a second process cannot be forked (Windows, macOS' default), the build's
    end does the removal."""
    from casebook.site import directories

    monkeypatch.setattr(directories.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    site = tmp_path / "site"
    write(site, "index.html", "the last build's")
    previous = PreviousSite(site)
    assert previous.process is None
    assert os.listdir(site) == [f"{PREVIOUS_PREFIX}{os.getpid()}"]  # aside, not yet gone
    previous.wait()
    assert os.listdir(site) == []
