"""The page cache: a rebuild reuses the theme's rendering of pages whose inputs are
unchanged, and an edit to anything a page shows (its text, another page's title, a
template override, taxonomy.yml) reaches that page."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from casebook.site.page_cache import CACHE_FILE, PageCache

from .conftest import ROOT, site_config


def test_a_page_is_kept_under_its_key_and_stale_pages_are_dropped(tmp_path):
    cache = PageCache(tmp_path, "context")
    assert cache.get("a") is None
    cache.put("a", "<html>A slot-1</html>", "slot-1")
    cache.put("b", "<html>B</html>", "slot-1")
    cache.save()
    assert [p.name for p in tmp_path.iterdir()] == [CACHE_FILE]  # one file, not one a page
    again = PageCache(tmp_path, "context")
    assert again.get("a") == ("<html>A slot-1</html>", "slot-1")
    assert (again.hits, again.misses) == (1, 0)
    again.save()  # "b" was not used by this build: it is not kept
    third = PageCache(tmp_path, "context")
    assert third.get("b") is None and third.get("a") == ("<html>A slot-1</html>", "slot-1")
    assert PageCache(tmp_path, "other context").get("a") is None


def test_a_damaged_cache_is_rendered_again_not_published(tmp_path, caplog):
    cache = PageCache(tmp_path, "context")
    cache.put("a", "<html>the whole page</html>", "slot")
    cache.save()
    path = tmp_path / CACHE_FILE
    path.write_bytes(path.read_bytes().replace(b"the whole page", b"the who"))
    with caplog.at_level(logging.WARNING, logger="casebook"):
        again = PageCache(tmp_path, "context")
        assert again.get("a") is None
    assert str(path) in caplog.text and "damaged" in caplog.text
    again.save()
    assert PageCache(tmp_path, "context").get("a") is None


def test_a_record_without_its_page_or_slot_is_a_miss_and_is_not_kept(tmp_path):
    cache = PageCache(tmp_path, "context")
    cache.records.put("no-slot", {"page": "<html></html>"})
    cache.records.put("no-page", {"slot": "s"})
    cache.save()
    again = PageCache(tmp_path, "context")
    assert again.get("no-slot") is None and again.get("no-page") is None
    assert (again.hits, again.misses) == (0, 2)
    assert again.records.kept() == []


def build(content: Path, site: Path) -> str:
    """A verbose build (the cache reports what it reused); its log."""
    config = site_config(content, site)
    overrides = content.parent / "overrides"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(str(ROOT / "overrides"), str(overrides)), encoding="utf-8")
    environment = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        CASEBOOK_SEARCH_INDEX_DIR=str(content.parent / "index"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-f", str(config)],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def reused(log: str) -> tuple[int, int]:
    found = re.search(r"page cache: (\d+) pages reused, (\d+) rendered", log)
    assert found, log
    return int(found[1]), int(found[2])


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_edits_reach_every_page_that_shows_them(content, tmp_path):
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    site = tmp_path / "site"
    build(content, site)
    hits, misses = reused(build(content, site))
    assert misses == 0 and hits > 10  # nothing changed: every page is reused

    # The page's own text.
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace(
            "shares a keyworker team", "shares one freshly edited keyworker team"
        ),
        encoding="utf-8",
    )
    hits, misses = reused(build(content, site))
    assert "freshly edited keyworker" in page(site, "case_studies/alpha-network")
    assert misses >= 1 and hits > 10

    # Another page's title: the policy page and the catalogue list the case studies, and
    # Beta (whose text links to Alpha) lists it among its related case studies, which go
    # into a kept page after the theme's rendering, from this build's data.
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace("title: Alpha Network", "title: Alpha Renamed"),
        encoding="utf-8",
    )
    build(content, site)
    for path in ("policy/test-act", "case_studies/beta-connections", "case_studies"):
        assert "<strong>Alpha Renamed</strong>" in page(site, path) or (
            ">Alpha Renamed<" in page(site, path)
        ), path
    for path in ("policy/test-act", "case_studies"):
        assert ">Alpha Network<" not in page(site, path), path

    # A template override: every page is rendered through it again.
    footer = tmp_path / "overrides/partials/footer.html"
    footer.write_text(
        footer.read_text(encoding="utf-8").replace("Last built", "Freshly rebuilt"),
        encoding="utf-8",
    )
    hits, misses = reused(build(content, site))
    assert hits == 0
    for path in ("", "policy/test-act", "case_studies/gamma-pilot", "themes/culture-shift"):
        assert "Freshly rebuilt" in page(site, path), path

    # taxonomy.yml: a term's new label on its own page and on the case studies with it.
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text(encoding="utf-8").replace("label: Culture shift", "label: Mindset"),
        encoding="utf-8",
    )
    build(content, site)
    for path in ("themes/culture-shift", "case_studies/gamma-pilot", "themes"):
        assert "Mindset" in page(site, path), path
        assert "Culture shift" not in page(site, path), path


def test_a_page_found_safe_is_not_scanned_again_and_a_changed_one_is(tmp_path, monkeypatch):
    from casebook.site import page_guard
    from casebook.site.page_guard import ScriptPolicy, guard_page, scan_context
    from casebook.site.render_cache import RenderCache

    policy = ScriptPolicy(script_files={"assets/casebook/search.js"})
    scanned = RenderCache(tmp_path / "scanned.json", scan_context(policy))
    safe = '<html><head><meta charset="utf-8"></head><body><p>Safe</p></body></html>'
    first, problems = guard_page(safe, "a/", policy, scanned)
    assert problems == [] and "Content-Security-Policy" in first
    scanned.save()

    scanned = RenderCache(tmp_path / "scanned.json", scan_context(policy))
    calls = []
    original = page_guard.scan_page
    monkeypatch.setattr(page_guard, "scan_page", lambda *a: calls.append(a) or original(*a))
    assert guard_page(safe, "a/", policy, scanned) == (first, [])
    assert calls == []  # the same text at the same address: its answer is kept
    unsafe = safe.replace("<p>Safe</p>", '<img src="x.png" onerror="alert(1)">')
    _, problems = guard_page(unsafe, "a/", policy, scanned)
    assert problems and len(calls) == 1
    _, problems = guard_page(unsafe, "a/", policy, scanned)
    assert problems and len(calls) == 2  # an unsafe page is never kept as answered
    assert scan_context(ScriptPolicy()) != scan_context(policy)


def test_the_build_key_covers_what_the_nav_prints_of_each_page():
    """Material prints a nav page's icon, subtitle and status on every page (this site's
    content may not set them, but a theme override or another page kind could)."""
    from types import SimpleNamespace

    from casebook.mkdocs_internals import _nav_items

    def nav(meta):
        page = SimpleNamespace(title="Home", url="", meta=meta, children=None)
        return _nav_items([SimpleNamespace(title="Section", children=[page])])

    assert nav({"status": "new"}) != nav({})
    assert nav({"template": "main.html"}) == nav({})  # the page cache sets it on every page
