"""The finished pages, written by a second process while the build renders: the same
files MkDocs would write, every problem reported, nothing written outside the site."""

from __future__ import annotations

from casebook import mkdocs_plugin
from casebook.site.page_writer import MAX_PROBLEMS, PageWriter

from .conftest import build_in_process
from .test_render_cache import site_files


def test_pages_are_written_whole_where_their_paths_say(tmp_path):
    writer = PageWriter(tmp_path / "site")
    pages = {
        "index.html": b"<p>Home</p>",
        "case_studies/a/index.html": "<p>Fair Deal – Ayrshire’s ‘café’</p>".encode(),
        "case_studies/b/index.html": b"x" * 3_000_000,  # larger than the pipe
        "themes/culture-shift/index.html": b"",
    }
    for path, content in pages.items():
        writer.write(path, content)
    assert writer.wait() == []
    written = {
        p.relative_to(tmp_path / "site").as_posix(): p.read_bytes()
        for p in (tmp_path / "site").rglob("*")
        if p.is_file()
    }
    assert written == pages


def test_a_path_that_would_leave_the_site_is_refused_and_reported(tmp_path):
    writer = PageWriter(tmp_path / "site")
    for path in ["../escaped.html", "/tmp/absolute.html", "a/../../up.html", "a\\b.html"]:
        writer.write(path, b"<p>out</p>")
    writer.write("kept/index.html", b"<p>in</p>")
    problems = writer.wait()
    assert problems == [
        f"{path} could not be written: it is not a path in the site"
        for path in ["../escaped.html", "/tmp/absolute.html", "a/../../up.html", "a\\b.html"]
    ]
    assert [p.name for p in tmp_path.rglob("*.html")] == ["index.html"]
    assert not (tmp_path / "escaped.html").exists() and not (tmp_path / "up.html").exists()


def test_a_site_that_cannot_be_written_is_a_few_lines_not_one_per_page(tmp_path):
    (tmp_path / "site").write_text("a file where the site should be")
    writer = PageWriter(tmp_path / "site")
    for number in range(40):
        writer.write(f"case_studies/c{number}/index.html", b"<p>page</p>")
    problems = writer.wait()
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == "case_studies/c0/index.html could not be written: Not a directory"
    assert problems[-1] == "the rest were not tried"


def test_a_writer_that_stops_is_reported_not_taken_for_done(tmp_path):
    writer = PageWriter(tmp_path / "site")
    writer.write("a/index.html", b"<p>A</p>")
    writer._process.kill()
    writer._process.wait()
    for number in range(100):  # into a pipe nobody reads
        writer.write(f"b{number}/index.html", b"x" * 100_000)
    problems = writer.wait()
    assert len(problems) == 1 and problems[0].startswith("the page writer stopped (")
    assert problems[0].endswith("): pages may be missing")


def test_the_site_is_the_one_mkdocs_would_write_and_says_no_page_was_skipped(
    content, tmp_path, monkeypatch
):
    handed = []
    real = PageWriter.write
    monkeypatch.setattr(PageWriter, "write", lambda self, *a: handed.append(a[0]) or real(self, *a))
    written = build_in_process(content, tmp_path / "written", tmp_path / "index")
    assert written.ok, "\n".join(written.lines)
    assert len(handed) == len(list((tmp_path / "written").rglob("index.html")))
    assert not any("Page skipped" in line for line in written.lines)
    handed.clear()
    monkeypatch.setattr(mkdocs_plugin.internals, "page_cache_allowed", lambda config: False)
    by_mkdocs = build_in_process(content, tmp_path / "by-mkdocs", tmp_path / "index-2")
    assert by_mkdocs.ok, "\n".join(by_mkdocs.lines)
    assert handed == []  # MkDocs wrote every page
    assert site_files(tmp_path / "written") == site_files(tmp_path / "by-mkdocs")


def test_a_page_the_writer_could_not_write_fails_the_build(content, tmp_path, monkeypatch):
    real = PageWriter.write

    def misplaced(self, path, data):
        real(self, "../outside.html" if path.startswith("case_studies/alpha") else path, data)

    monkeypatch.setattr(PageWriter, "write", misplaced)
    result = build_in_process(content, tmp_path / "site", tmp_path / "index")
    assert result.error == "Aborted with a BuildError!"
    assert result.at("ERROR") == [
        "ERROR   -  the site's pages could not be written: "
        "../outside.html could not be written: it is not a path in the site"
    ]
    assert not (tmp_path / "outside.html").exists()


def test_a_page_already_there_is_replaced_not_written_into(tmp_path):
    """A file at a page's path may share its inode with another copy (a hard link to the
    last build's): the page is a new file, and the other copy keeps its bytes."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere.html"
    (site / "a").mkdir(parents=True)
    elsewhere.write_bytes(b"<p>the last build's</p>")
    (site / "a/index.html").hardlink_to(elsewhere)
    writer = PageWriter(site)
    writer.write("a/index.html", b"<p>this build's</p>")
    assert writer.wait() == []
    assert (site / "a/index.html").read_bytes() == b"<p>this build's</p>"
    assert elsewhere.read_bytes() == b"<p>the last build's</p>"
