"""The render cache: a rebuild reuses the rendering of unchanged pages, and the site it
writes is exactly the one a build from nothing writes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from casebook.site import render_cache
from casebook.site.render_cache import RenderCache, cacheable

from .conftest import VALID_CASE, build_in_process, cache_records, pagefind_records, write


def test_records_survive_a_save_in_the_same_context_only(tmp_path):
    path = tmp_path / "cache" / "rendered.json"
    cache = RenderCache(path, "context-1")
    assert cache.get("a") is None
    cache.put("a", {"html": "<p>A</p>"})
    cache.put("b", {"html": "<p>B</p>"})
    cache.save()
    again = RenderCache(path, "context-1")
    assert again.get("a") == {"html": "<p>A</p>"}
    again.save()  # "b" was not used by this build: it drops out
    assert RenderCache(path, "context-1").get("b") is None
    assert RenderCache(path, "context-2").get("a") is None  # other settings or files
    assert [p.name for p in path.parent.iterdir()] == ["rendered.json"]


def test_a_forks_journal_replayed_keeps_what_the_fork_used_and_made(tmp_path):
    """The second renderer works on a fork's copy of a cache: what it used and made is
    replayed into the build's copy, so the next build finds it as if made here."""
    path = tmp_path / "blocks.json"
    first = RenderCache(path, "context")
    first.put("used", {"html": "<p>kept</p>"})
    first.put("unused", {"html": "<p>dropped</p>"})
    first.save()
    here, fork = RenderCache(path, "context"), RenderCache(path, "context")
    fork.journal = []
    assert fork.get("used") == {"html": "<p>kept</p>"}
    assert fork.get("missing") is None  # a miss journals nothing: the fork made nothing
    fork.put("made", {"html": "<p>new</p>"})
    assert fork.journal == [("used", None), ("made", {"html": "<p>new</p>"})]
    here.replay(json.loads(json.dumps(fork.journal)))  # as it comes down the pipe
    here.replay([["made"], "no", [3, {"html": "a key must be text"}], None])  # left out
    assert (here.hits, here.misses) == (1, 0)
    here.save()
    after = RenderCache(path, "context")
    assert after.get("used") == {"html": "<p>kept</p>"}
    assert after.get("made") == {"html": "<p>new</p>"}
    assert after.get("unused") is None
    assert here.journal is None  # only a cache told to journals


def test_an_unreadable_cache_file_is_an_empty_cache(tmp_path):
    path = tmp_path / "rendered.json"
    for text in ["{not json", "[]", json.dumps({"format": 99, "context": "c", "pages": {}})]:
        path.write_text(text, encoding="utf-8")
        assert RenderCache(path, "c").get("a") is None


def test_a_cache_file_is_read_whole_or_not_at_all(tmp_path, caplog):
    path = tmp_path / "rendered.json"
    cache = RenderCache(path, "c")
    cache.put("a", {"html": "<p>A</p>"})
    assert cache.save()
    assert RenderCache(path, "c").get("a") == {"html": "<p>A</p>"}
    checksum, _, text = path.read_bytes().partition(b"\n")
    assert checksum == hashlib.sha256(text).hexdigest().encode()
    line = b'"b"\t{"html":"<p>B</p>"}\n'
    for damaged in [
        text + b" []",  # a line that is no record
        text[:-1],  # the last record cut short
        b"x" + text,  # the header
        text + b"\xff\n",  # not UTF-8
        text + line + line,  # one key twice
        text + b'5\t{"html":""}\n',  # a key that is not text
    ]:
        path.write_bytes(hashlib.sha256(damaged).hexdigest().encode() + b"\n" + damaged)
        assert RenderCache(path, "c").get("a") is None
        assert "render cache" in caplog.text and "damaged (it is not JSON)" in caplog.text
        caplog.clear()
    path.write_bytes(checksum + b"\n" + text + b"\n")  # as written, then a newline
    assert RenderCache(path, "c").get("a") is None  # the checksum no longer matches
    added = text + line  # a record added by hand, its checksum made to match: it is read
    path.write_bytes(hashlib.sha256(added).hexdigest().encode() + b"\n" + added)
    assert RenderCache(path, "c").get("b") == {"html": "<p>B</p>"}


def test_records_used_unchanged_are_written_back_as_they_were_read(tmp_path, monkeypatch):
    """A rebuild encodes only what it made: the rest is copied from the file it read,
    and the file is the same as encoding every record would make."""
    path = tmp_path / "rendered.json"
    cache = RenderCache(path, "c")
    for key in "abc":
        cache.put(key, {"html": f"<p>{key} \u00e9\t\u2028</p>", "n": [1, 2.5, None]})
    cache.save()
    written = path.read_bytes()
    again = RenderCache(path, "c")
    assert again.get("a") and again.get("b") and again.get("c")
    encoded = []
    real_line = render_cache._line
    monkeypatch.setattr(render_cache, "_line", lambda k, r: encoded.append(k) or real_line(k, r))
    again.put("d", {"html": "<p>new</p>"})
    again.save()
    assert encoded == ["d"]
    fresh = RenderCache(tmp_path / "fresh.json", "c")
    for key in "abcd":
        fresh.put(key, (again.get(key) if key != "d" else {"html": "<p>new</p>"}))
    fresh.save()
    assert path.read_bytes() == (tmp_path / "fresh.json").read_bytes()
    assert written != path.read_bytes()

    # The file replaced by another build meanwhile: nothing is copied from it.
    third = RenderCache(path, "c")
    assert third.get("a")
    other = RenderCache(path, "c")
    other.put("a", {"html": "<p>other</p>"})
    other.save()
    encoded.clear()
    third.save()
    assert encoded == ["a"]
    assert RenderCache(path, "c").get("a") == third.get("a")


def test_only_extensions_that_read_nothing_but_the_page_allow_caching():
    assert cacheable(["toc", "tables", "markdown.extensions.attr_list", "md_in_html"])
    assert not cacheable(["toc", "pymdownx.snippets"])  # includes other files
    assert not cacheable(["toc", object()])  # an extension instance: unknown


def site_files(site: Path) -> dict[str, bytes]:
    """The site's pages and data. Not Pagefind's bundle: it writes its filter maps in hash
    order, so two builds of the same content differ in bytes, not in what they find (its
    records are compared apart)."""
    return {
        str(path.relative_to(site)): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
        and path.suffix in {".html", ".json", ".xml", ".csv"}
        and path.relative_to(site).parts[0] != "pagefind"
    }


def build(content: Path, tmp_path: Path, name: str, strict: bool = True):
    """A build in this process, its log kept down to DEBUG for the cache's count."""
    site = tmp_path / name
    result = build_in_process(
        content, site, tmp_path / f"index-{name}", strict=strict, casebook_debug=True
    )
    assert strict is False or result.ok, "\n".join(result.at("WARNING"))
    return site, result


def reuse(result) -> str:
    """The build's one line on the cache: how many pages it reused and rendered."""
    (line,) = [line for line in result.lines if "casebook: render cache:" in line]
    return line.removeprefix("DEBUG   -  casebook: render cache: ")


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def cache_file(content: Path) -> Path:
    return content.parent / "build" / "cache" / "rendered.json"


def test_a_rebuild_writes_the_same_site_as_a_build_from_nothing(content, tmp_path):
    first, result = build(content, tmp_path, "first")
    assert reuse(result) == "0 pages reused, 31 rendered"
    assert cache_file(content).is_file()
    _header, pages = cache_records(cache_file(content))
    assert len(pages) == 31
    second, result = build(content, tmp_path, "second")
    assert reuse(result) == "31 pages reused, 0 rendered"  # a cache that never hits fails here
    assert site_files(second) == site_files(first)
    assert pagefind_records(second) == pagefind_records(first)

    # A hit is served from the cache, not rendered again: a kept rendering changed by
    # hand (its checksum made to match) is what the next build publishes.
    stored = cache_file(content).read_text(encoding="utf-8").partition("\n")[2]
    marked = stored.replace("formed one team.", "formed one cached team.")
    assert marked.count("formed one cached team.") == 1
    checksum = hashlib.sha256(marked.encode("utf-8")).hexdigest()
    cache_file(content).write_text(f"{checksum}\n{marked}", encoding="utf-8")
    cached, result = build(content, tmp_path, "cached")
    assert reuse(result) == "31 pages reused, 0 rendered"
    assert "formed one cached team." in html(cached, "case_studies/alpha-network")

    # An edit to one page: only it is rendered again.
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("formed one team.", "formed one new team."))
    _, result = build(content, tmp_path, "one-edit")
    assert reuse(result) == "30 pages reused, 1 rendered"

    # A new page changes the set of files every link is checked against: all rendered
    # again, and the site matches a build from nothing.
    write(content, "case_studies/delta.md", VALID_CASE.replace("A body", "## Fresh\n\nA body"))
    edited, result = build(content, tmp_path, "edited")
    assert reuse(result) == "0 pages reused, 34 rendered"
    shutil.rmtree(cache_file(content).parent)
    scratch, _ = build(content, tmp_path, "scratch")
    assert site_files(edited) == site_files(scratch)
    assert 'id="fresh"' in (edited / "case_studies/delta/index.html").read_text()


def test_a_page_whose_rendering_warned_warns_again_on_every_build(content, tmp_path):
    # Missing targets are reported while the page renders (so that rendering is never
    # kept), missing anchors after every page has rendered (from what is kept).
    write(
        content,
        "about.md",
        "# About\n\n![A chart](chart-missing.png) and [a place](index.md#no-such-place).\n",
    )
    for name in ("first", "second"):
        _, result = build(content, tmp_path, name, strict=False)
        assert result.ok
        assert result.at("WARNING") == [
            "WARNING -  Doc file 'about.md' contains a link 'chart-missing.png', but the "
            "target is not found among documentation files.",
            "WARNING -  Doc file 'about.md' contains a link 'index.md#no-such-place', but "
            "the doc 'index.md' does not contain an anchor '#no-such-place'.",
        ], name


def test_a_cache_of_the_earlier_format_is_ignored_without_a_warning(tmp_path, caplog):
    """The format before this one was one JSON document after the checksum line."""
    path = tmp_path / "rendered.json"
    text = json.dumps({"format": 2, "context": "c", "pages": {"a": {"html": "<p>A</p>"}}})
    path.write_text(hashlib.sha256(text.encode()).hexdigest() + "\n" + text, encoding="utf-8")
    cache = RenderCache(path, "c")
    assert cache.get("a") is None and caplog.text == ""
    cache.put("a", {"html": "<p>A</p>"})
    cache.save()
    assert RenderCache(path, "c").get("a") == {"html": "<p>A</p>"} and caplog.text == ""


def test_a_killed_builds_half_written_cache_file_is_removed_by_the_next_save(tmp_path):
    path = tmp_path / "rendered.json"
    dead = tmp_path / ".rendered.json.4194999"  # no such process
    dead.write_text("half a cache")
    alive = tmp_path / f".rendered.json.{os.getppid()}"  # another build, still writing
    alive.write_text("a cache being written")
    cache = RenderCache(path, "c")
    cache.put("a", {"html": "<p>A</p>"})
    assert cache.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "rendered.json"]


def saved(path: Path, records: dict, context: str = "c") -> Path:
    cache = RenderCache(path, context)
    for key, record in records.items():
        cache.put(key, record)
    assert cache.save()
    return path


def with_checksum(path: Path, text: bytes) -> None:
    """`text` as the cache file's contents, under a checksum that matches it."""
    path.write_bytes(hashlib.sha256(text).hexdigest().encode() + b"\n" + text)


def test_unchanged_only_when_every_record_was_used_and_none_made(tmp_path):
    path = saved(tmp_path / "c.json", {"a": {"x": 1}, "b": {"y": 2}})
    cache = RenderCache(path, "c")
    cache.get("a"), cache.get("b")
    assert cache.unchanged() and cache.kept() == ["a", "b"]
    cache = RenderCache(path, "c")
    cache.get("a")
    assert not cache.unchanged()  # "b" not used: it drops out
    cache = RenderCache(path, "c")
    cache.get("a"), cache.get("b"), cache.get("new")
    assert not cache.unchanged()  # a miss: something is made
    cache = RenderCache(path, "c")
    cache.get("a"), cache.get("b")
    cache.put("b", {"y": 3})
    assert not cache.unchanged() and cache.kept() == ["a", "b"]


def test_a_record_used_then_made_again_is_saved_as_made(tmp_path):
    path = saved(tmp_path / "c.json", {"a": {"x": 1}, "b": {"y": 2}})
    cache = RenderCache(path, "c")
    assert cache.get("a") == {"x": 1} and cache.get("b") == {"y": 2}
    cache.put("a", {"x": "new"})  # not the bytes read for "a"
    assert cache.save()
    again = RenderCache(path, "c")
    assert again.get("a") == {"x": "new"} and again.get("b") == {"y": 2}
    assert b'{"x":"new"}' in path.read_bytes()  # compact, as every record is written


def test_a_forgotten_record_counts_as_a_miss_and_is_not_saved(tmp_path):
    path = saved(tmp_path / "c.json", {"a": {"x": 1}, "b": {"y": 2}})
    cache = RenderCache(path, "c")
    cache.get("a"), cache.get("b")
    cache.forget("a")
    assert (cache.hits, cache.misses) == (1, 1) and cache.kept() == ["b"]
    cache.save()
    assert RenderCache(path, "c").get("a") is None


def test_records_that_are_not_a_non_empty_mapping_are_misses(tmp_path):
    path = tmp_path / "c.json"
    header = json.dumps({"format": render_cache.FORMAT, "context": "c"}).encode()
    with_checksum(path, header + b'\n"list"\t[1]\n"empty"\t{}\n"text"\t"x"\n')
    cache = RenderCache(path, "c")
    assert [cache.get(key) for key in ("list", "empty", "text")] == [None, None, None]
    assert (cache.hits, cache.misses) == (0, 3)


def test_a_journal_replays_past_entries_it_leaves_out(tmp_path):
    path = saved(tmp_path / "c.json", {"a": {"x": 1}})
    cache = RenderCache(path, "c")
    cache.replay([["no"], ["a", None], [5, None], ["b", {"y": 2}]])
    assert cache.kept() == ["a", "b"] and cache.hits == 1


def test_each_damage_is_named_in_the_warning(tmp_path, caplog):
    header = json.dumps({"format": render_cache.FORMAT, "context": "c"}).encode()
    # a checksum that differs, with the default names
    path = saved(tmp_path / "c.json", {"a": {"x": 1}})
    path.write_bytes(path.read_bytes() + b"\n")
    RenderCache(path, "c")
    assert (
        f"the render cache {path} is damaged (it is not as written (its checksum "
        "differs)); every page is rendered"
    ) in caplog.text
    assert not path.exists()  # removed, for the next save
    # nested past what json reads, under another cache's names
    deep = b"[" * 100_000 + b"]" * 100_000
    with_checksum(path, header + b'\n"a"\t' + deep + b"\n")
    RenderCache(path, "c", name="check cache", without="every file is checked")
    assert (
        f"the check cache {path} is damaged (it is nested too deeply); every file is checked"
    ) in caplog.text
    # a folder where the file should be: removed
    path.mkdir()
    (path / "inside").write_text("x")
    RenderCache(path, "c")
    assert f"{path} is damaged (it cannot be read: Is a directory)" in caplog.text
    assert not path.exists()
    # a file where the folder should be: removed, so the next save can make it
    folder = tmp_path / "cache"
    folder.write_text("not a folder")
    inside = RenderCache(folder / "c.json", "c")
    assert f"{folder} is a file, not a directory" in caplog.text
    assert not folder.exists()
    inside.put("a", {"x": 1})
    assert inside.save() and RenderCache(folder / "c.json", "c").get("a") == {"x": 1}


def test_a_cache_that_cannot_be_saved_says_where_and_what_the_next_build_does(tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file")
    cache = RenderCache(blocker / "deeper" / "c.json", "c")  # nothing there to read
    cache.put("a", {"x": 1})
    assert cache.save() is False
    assert (
        f"the render cache could not be saved to {cache.path} (Not a directory); "
        "in the next build every page is rendered"
    ) in caplog.text
    assert list(tmp_path.iterdir()) == [blocker]  # no temporary file left


def test_a_cache_is_saved_into_folders_not_made_yet(tmp_path):
    path = tmp_path / "one" / "two" / "c.json"
    assert saved(path, {"a": {"x": 1}}).is_file()


def test_records_are_not_copied_from_a_file_changed_since_it_was_read(tmp_path):
    """Another cache written over it in place, keeping its inode, size and time: the
    checksum line tells, and the records are encoded again from what this build holds."""
    path = saved(tmp_path / "c.json", {"a": {"x": 1}, "b": {"y": 2}})
    cache = RenderCache(path, "c")
    cache.get("a"), cache.get("b")
    before = path.stat()
    text = path.read_bytes().partition(b"\n")[2].replace(b'{"x":1}', b'{"x":7}')
    with path.open("r+b") as file:  # same inode and size, its own checksum
        file.write(hashlib.sha256(text).hexdigest().encode() + b"\n" + text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    cache.save()
    again = RenderCache(path, "c")
    assert again.get("a") == {"x": 1} and again.get("b") == {"y": 2}


def test_headers_of_other_shapes_are_ignored_without_a_warning(tmp_path, caplog):
    path = tmp_path / "c.json"
    for header in (b"[1]", b'"text"', json.dumps({"format": render_cache.FORMAT}).encode()):
        with_checksum(path, header + b"\n")
        assert RenderCache(path, "c").get("a") is None
    # our header alone, with no newline after it: an empty cache, not a damaged one
    with_checksum(path, json.dumps({"format": render_cache.FORMAT, "context": "c"}).encode())
    assert RenderCache(path, "c").kept() == []
    assert "damaged" not in caplog.text


def test_a_last_record_without_its_newline_is_damage(tmp_path, caplog):
    path = tmp_path / "c.json"
    header = json.dumps({"format": render_cache.FORMAT, "context": "c"}).encode()
    with_checksum(path, header + b'\n"a"\t{"x":1}\n"b"\t12')
    assert RenderCache(path, "c").get("a") is None
    assert "damaged (it is not JSON)" in caplog.text


def test_every_pure_extension_together_allows_caching():
    assert cacheable(sorted(render_cache.PURE_EXTENSIONS))
