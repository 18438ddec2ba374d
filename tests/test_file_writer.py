"""Files written whole by the build (site/file_writer.py): each unchanged one a hard link to
the last build's copy, every other one written, and the bytes always those of a fresh write."""

from __future__ import annotations

import os
import time

import pytest
from casebook.site import file_writer
from casebook.site.file_writer import FileWriter, write_files

from .conftest import VALID_CASE, write


def tree(root) -> dict[str, bytes]:
    """Every file under `root` by its path there, with its bytes."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, root)] = file.read()
    return found


def inode(path) -> int:
    return os.stat(path).st_ino


LAST = {
    "data/cite/alpha.bib": b"@misc{alpha}",
    "data/cite/beta.bib": b"@misc{beta}",
    "data/cite/gone.bib": b"@misc{gone}",
    "data/case_studies.json": b'[{"slug": "alpha"}]',
    "feed.xml": b"<feed>one</feed>",
}
NEXT = {
    "data/cite/alpha.bib": b"@misc{alpha}",  # unchanged
    "data/cite/beta.bib": b"@misc{beta, year=2}",  # changed
    "data/cite/new.bib": b"@misc{new}",  # new; gone.bib is deleted
    "data/case_studies.json": b'[{"slug": "alphb"}]',  # changed, the same size
    "feed.xml": b"<feed>one</feed>",
}


@pytest.fixture
def last(tmp_path):
    previous = tmp_path / "last"
    assert write_files(previous, LAST.items()).written == len(LAST)
    return previous


def test_unchanged_files_are_linked_and_the_rest_written_the_same_as_afresh(tmp_path, last):
    before = {name: inode(last / name) for name in LAST}
    done = write_files(tmp_path / "next", NEXT.items(), last)
    assert (done.linked, done.written, done.failures) == (2, 3, [])
    assert tree(tmp_path / "next") == NEXT  # as a fresh write: no deleted file, none missing
    write_files(tmp_path / "fresh", NEXT.items())
    assert tree(tmp_path / "next") == tree(tmp_path / "fresh")
    for name in ("data/cite/alpha.bib", "feed.xml"):
        assert inode(tmp_path / "next" / name) == before[name], name
    for name in ("data/cite/beta.bib", "data/case_studies.json"):
        assert inode(tmp_path / "next" / name) != before[name], name
    assert tree(last) == LAST  # the previous build's files are as they were


def test_a_previous_copy_of_the_same_size_with_other_bytes_is_not_linked(tmp_path, last):
    assert len(NEXT["data/case_studies.json"]) == len(LAST["data/case_studies.json"])
    write_files(tmp_path / "next", NEXT.items(), last)
    written = tmp_path / "next/data/case_studies.json"
    assert written.read_bytes() == NEXT["data/case_studies.json"]
    assert os.stat(written).st_nlink == 1


def test_a_previous_copy_with_other_permissions_is_not_linked(tmp_path, last, monkeypatch):
    """A link would carry the last build's permissions (another umask, a chmod since);
    a fresh write gives the umask's. Where they cannot be known, nothing is linked."""
    os.chmod(last / "feed.xml", 0o600)
    os.chmod(last / "data/cite/alpha.bib", 0o600)
    written = write_files(tmp_path / "next", NEXT.items(), last)
    assert written.linked == 0
    fresh = write_files(tmp_path / "fresh", NEXT.items())
    assert fresh.written == len(NEXT)
    for name in NEXT:
        modes = [os.stat(root / name).st_mode for root in (tmp_path / "next", tmp_path / "fresh")]
        assert modes[0] == modes[1], name
    os.chmod(last / "feed.xml", os.stat(tmp_path / "fresh/feed.xml").st_mode)
    assert write_files(tmp_path / "again", NEXT.items(), last).linked == 1
    monkeypatch.setattr(file_writer, "_fresh_file", lambda: None)  # no /proc: no links
    assert write_files(tmp_path / "unknown", NEXT.items(), last).linked == 0


def test_when_linking_fails_every_file_is_written(tmp_path, last, monkeypatch):
    def no_links(*arguments, **keywords):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(file_writer.os, "link", no_links)
    done = write_files(tmp_path / "next", NEXT.items(), last)
    assert (done.linked, done.written, done.failures) == (0, len(NEXT), [])
    assert tree(tmp_path / "next") == NEXT
    assert all(os.stat(tmp_path / "next" / name).st_nlink == 1 for name in NEXT)


def test_a_missing_previous_build_or_file_means_writing(tmp_path, last):
    (last / "feed.xml").unlink()  # the old file vanished
    done = write_files(tmp_path / "next", NEXT.items(), last)
    assert (done.linked, done.written) == (1, 4)
    done = write_files(tmp_path / "other", NEXT.items(), tmp_path / "no such build")
    assert (done.linked, done.written) == (0, 5)
    assert tree(tmp_path / "next") == tree(tmp_path / "other") == NEXT


def test_an_existing_file_is_replaced_never_written_into(tmp_path, last):
    """A name already in place may be a link to the live build's copy: writing into it
    would change that copy too."""
    target = tmp_path / "next"
    (target / "data/cite").mkdir(parents=True)
    os.link(last / "data/cite/beta.bib", target / "data/cite/beta.bib")
    os.link(last / "feed.xml", target / "data/cite/alpha.bib")  # other bytes: replaced
    write_files(target, NEXT.items(), last)
    assert tree(target) == NEXT
    assert tree(last) == LAST


def test_a_symbolic_link_in_the_previous_build_is_not_followed(tmp_path, last):
    outside = tmp_path / "outside.bib"
    outside.write_bytes(NEXT["data/cite/alpha.bib"])
    (last / "data/cite/alpha.bib").unlink()
    (last / "data/cite/alpha.bib").symlink_to(outside)
    write_files(tmp_path / "next", NEXT.items(), last)
    written = tmp_path / "next/data/cite/alpha.bib"
    assert not written.is_symlink() and inode(written) != inode(outside)
    assert written.read_bytes() == NEXT["data/cite/alpha.bib"]


def test_a_path_that_would_leave_the_folder_is_refused(tmp_path):
    for name in ("../escaped", "/etc/escaped", "a/../../escaped", ""):
        with pytest.raises(ValueError, match="is not a path inside"):
            write_files(tmp_path / "root", [(name, b"x")])
    assert not (tmp_path / "escaped").exists()


def test_the_writer_thread_links_from_the_last_build_and_says_how_many(tmp_path, last):
    files = {name: content.decode() for name, content in NEXT.items()}
    writer = FileWriter(tmp_path / "next", files, last)
    assert writer.wait() == []
    assert (writer.written.linked, writer.written.written) == (2, 3)
    assert tree(tmp_path / "next") == NEXT


# -- through the build: a bare `mkdocs build` and `casebook build` -----------------------

LINKED = ("data", "pagefind")  # the folders whose unchanged files a rebuild links


def snapshot(site) -> dict[str, tuple[int, bytes]]:
    """Each file of the site's linked folders: its inode and its bytes."""
    found = {}
    for folder in LINKED:
        for name, content in tree(site / folder).items():
            found[f"{folder}/{name}"] = (inode(site / folder / name), content)
    return found


def edit(content) -> None:
    """Between two builds: one case study changed, one added, one deleted."""
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("A test network", "A changed network"))
    (content / "case_studies/delta.md").unlink()
    write(content, "case_studies/epsilon.md", VALID_CASE.replace("Delta Project", "Epsilon"))


def assert_linked_where_unchanged(before, after) -> None:
    unchanged = "data/cite/beta-connections.bib"
    assert after[unchanged][0] == before[unchanged][0]  # linked
    changed = "data/case_studies.json"  # it holds alpha's summary
    assert after[changed][1] != before[changed][1] and after[changed][0] != before[changed][0]
    assert "data/cite/delta.bib" not in after and "data/cite/epsilon.bib" in after
    fragments = [name for name in after if name.startswith("pagefind/fragment/")]
    assert any(after[name][0] == before.get(name, (None,))[0] for name in fragments)
    assert any(name not in before for name in fragments)  # alpha's, written
    for name, (number, content) in after.items():
        if name in before and before[name][0] == number:
            assert content == before[name][1], name  # a link only where the bytes are equal


def varying(name: str) -> bool:
    """Files Pagefind makes differently from run to run for the same pages (its filters'
    order): two fresh builds differ in them, so they are checked against its output."""
    return name.startswith(("pagefind/filter/", "pagefind/pagefind.")) or name.endswith(
        "pagefind-entry.json"
    )


def assert_as_fresh(after, fresh) -> None:
    """The same files with the same bytes as a build into an empty folder."""
    same = {name: bytes_ for name, (_, bytes_) in after.items() if not varying(name)}
    assert same == {name: bytes_ for name, (_, bytes_) in fresh.items() if not varying(name)}
    assert any(name.startswith("pagefind/fragment/") for name in same)


def recording_pagefind(monkeypatch, folder):
    """Keep each bundle Pagefind hands back (in the forked child too) in `folder`."""
    import pickle

    from casebook.search import static_index

    real = static_index.index_pages

    def recorded(pages):
        files = real(pages)
        (folder / f"{time.time_ns()}.pickle").write_bytes(pickle.dumps(files))
        return files

    folder.mkdir()
    monkeypatch.setattr(static_index, "index_pages", recorded)

    def last() -> dict[str, bytes]:
        [made] = sorted(folder.iterdir())[-1:]
        return pickle.loads(made.read_bytes())

    return last


def assert_bundle_as_made(site, made: dict[str, bytes]) -> None:
    """The bundle in the site is exactly the files Pagefind made (less its own UIs),
    and the vocabulary beside them."""
    from casebook.search.static_index import UNUSED_FILES
    from casebook.search.vocabulary import VOCABULARY_FILE

    published = tree(site / "pagefind")
    assert published.pop(VOCABULARY_FILE)
    assert published == {name: data for name, data in made.items() if name not in UNUSED_FILES}


def test_a_bare_rebuild_links_unchanged_files_and_equals_a_fresh_build(
    content, tmp_path, monkeypatch
):
    from .conftest import build_in_process

    site, index = tmp_path / "site", tmp_path / "index"
    write(content, "case_studies/delta.md", VALID_CASE)
    assert build_in_process(content, site, index).ok
    before = snapshot(site)
    edit(content)
    made = recording_pagefind(monkeypatch, tmp_path / "made")
    rebuilt = build_in_process(content, site, index, casebook_debug=True)
    assert rebuilt.ok, rebuilt.lines
    after = snapshot(site)
    assert_bundle_as_made(site, made())
    assert_linked_where_unchanged(before, after)
    [counts] = [line for line in rebuilt.lines if "data files:" in line]
    linked = int(counts.split("data files: ")[1].split()[0])
    assert (
        linked
        == sum(
            1
            for name in after
            if name.startswith("data/") and before.get(name, (0,))[0] == after[name][0]
        )
        and linked > 0
    )
    assert build_in_process(content, tmp_path / "fresh", tmp_path / "fresh-index").ok
    assert_as_fresh(after, snapshot(tmp_path / "fresh"))
    assert not [name for name in os.listdir(site) if name.startswith(".casebook-previous-")]


def test_a_rebuild_where_links_fail_writes_the_same_files(content, tmp_path, monkeypatch):
    from .conftest import build_in_process

    site, index = tmp_path / "site", tmp_path / "index"
    write(content, "case_studies/delta.md", VALID_CASE)
    assert build_in_process(content, site, index).ok
    before = snapshot(site)

    def no_links(*arguments, **keywords):
        raise OSError(31, "Too many links")

    monkeypatch.setattr(file_writer.os, "link", no_links)  # the forked bundle writer too
    made = recording_pagefind(monkeypatch, tmp_path / "made")
    edit(content)
    assert build_in_process(content, site, index).ok
    monkeypatch.undo()
    after = snapshot(site)
    assert not [name for name in after if before.get(name, (None,))[0] == after[name][0]]
    assert_bundle_as_made(site, made())
    assert build_in_process(content, tmp_path / "fresh", tmp_path / "fresh-index").ok
    assert_as_fresh(after, snapshot(tmp_path / "fresh"))


def test_casebook_build_links_from_the_live_generation_and_leaves_it_whole(content, tmp_path):
    from .test_faults import Project

    project = Project(content, tmp_path)
    write(content, "case_studies/delta.md", VALID_CASE)
    assert project.build().returncode == 0
    live = project.site.resolve()
    before, whole = snapshot(live), tree(live)
    edit(content)
    second = project.build()
    assert second.returncode == 0, second.stderr
    assert project.site.resolve() != live
    after = snapshot(project.site)
    assert_linked_where_unchanged(before, after)
    assert tree(live) == whole  # the generation before, kept for readers, is as it was
    fresh = Project(content, tmp_path / "fresh")
    assert fresh.build().returncode == 0
    assert_as_fresh(after, snapshot(fresh.site))
    project.assert_no_leftovers()


def test_a_casebook_build_killed_after_linking_leaves_the_live_site_as_it_was(content, tmp_path):
    import signal
    import subprocess

    from .test_faults import Project

    project = Project(content, tmp_path)
    assert project.build().returncode == 0
    live = project.site.resolve()
    whole = tree(live)
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("A test network", "A changed network"))
    with subprocess.Popen(project.command(), stderr=subprocess.DEVNULL) as build:
        deadline = time.monotonic() + 60
        while not list(project.build_dir.glob(".staging-*/site/data/cite/beta-connections.*")):
            assert build.poll() is None and time.monotonic() < deadline, "no file was linked"
            time.sleep(0.005)
        build.send_signal(signal.SIGKILL)
    assert project.site.resolve() == live  # killed before it went live
    assert tree(live) == whole
    project.assert_whole()
    assert project.build().returncode == 0
    project.assert_no_leftovers()
