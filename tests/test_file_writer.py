"""Files written whole by the build (site/file_writer.py): each unchanged one a hard link to
the last build's copy, every other one written, and the bytes always those of a fresh write."""

from __future__ import annotations

import os

import pytest
from casebook.site import file_writer
from casebook.site.file_writer import FileWriter, write_files


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
