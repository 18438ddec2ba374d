"""The block cache: templates' output and sanitised HTML kept under exactly their inputs,
and a site built with it the same, byte for byte, as one built without any cache."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from casebook.site import block_cache
from casebook.site.block_cache import BlockCache, view_key
from casebook.site.templating import Templates
from casebook.site.views import Link
from markupsafe import Markup

from .conftest import build_in_process, pagefind_records, site_config
from .test_render_cache import site_files

SLOT = '<div id="cb-related-0123456789abcdef"></div>'
OTHER_SLOT = '<div id="cb-related-fedcba9876543210"></div>'


@dataclass
class Mutable:
    title: str


@dataclass(frozen=True)
class Computed:
    title: str

    @property
    def heading(self) -> str:  # shows what no field holds
        return self.title.upper()


def test_a_key_differs_wherever_the_rendering_could():
    link = Link("Alpha", "../alpha/", "A summary")
    views = [
        {"value": "<b>"},
        {"value": Markup("<b>")},  # printed as it is, not escaped
        {"value": ("a", "b")},  # prints as ('a', 'b')
        {"value": ["a", "b"]},
        {"value": ["ab"]},
        {"value": ["a", "s:b"]},  # no two values run together
        {"value": ["as:", "b"]},
        {"value": 1},
        {"value": True},
        {"value": 1.0},
        {"value": None},
        {"value": {"a": 1, "b": 2}},
        {"value": {"b": 2, "a": 1}},  # a template loops in this order
        {"value": dt.date(2026, 1, 2)},
        {"value": "2026-01-02"},
        {"value": link},
        {"value": Link("Alpha", "../alpha/", "Another summary")},
        {"value": link, "other": ""},
    ]
    keys = [view_key("casebook/x.html", view) for view in views]
    assert None not in keys and len(set(keys)) == len(keys)
    assert view_key("casebook/y.html", views[0]) != keys[0]
    assert (
        view_key("casebook/x.html", {"value": Link("Alpha", "../alpha/", "A summary")})
        == (keys[15])
    )


def test_a_view_it_cannot_write_out_whole_is_never_keyed():
    assert view_key("casebook/x.html", {"value": Mutable("Alpha")}) is None
    assert view_key("casebook/x.html", {"value": Computed("Alpha")}) is None
    assert view_key("casebook/x.html", {"value": [object()]}) is None
    assert view_key("casebook/x.html", {"value": {1: "a"}}) is None


def test_the_builds_slot_is_keyed_as_a_mark_and_no_other_markup_is():
    key = view_key("casebook/x.html", {"slot": Markup(SLOT)}, SLOT)
    assert key == view_key("casebook/x.html", {"slot": Markup(OTHER_SLOT)}, OTHER_SLOT)
    assert key != view_key("casebook/x.html", {"slot": Markup(OTHER_SLOT)}, SLOT)
    assert key != view_key("casebook/x.html", {"slot": SLOT}, SLOT)  # text, escaped


def test_a_rendering_is_reused_with_this_builds_slot(tmp_path):
    templates = Templates()
    view = {
        "ids": {"related": "related", "policies": "", "source": "", "citation": "cite"},
        "related_slot": Markup(SLOT),
        "related": [],
        "policies": [],
        "sources": [],
        "citation": {"text": "Casebook. (n.d.). A.", "has_address": False, "downloads": ()},
    }
    first = BlockCache(tmp_path, templates.identity(), SLOT)
    templates.memo = first
    rendered = templates.render("casebook/case_footer.html", **view)
    assert SLOT in rendered and (first.hits, first.misses) == (0, 1)
    first.save()

    again = BlockCache(tmp_path, templates.identity(), OTHER_SLOT)
    templates.memo = again
    reused = templates.render(
        "casebook/case_footer.html", **dict(view, related_slot=Markup(OTHER_SLOT))
    )
    assert (again.hits, again.misses) == (1, 0)
    templates.memo = None
    fresh = templates.render(
        "casebook/case_footer.html", **dict(view, related_slot=Markup(OTHER_SLOT))
    )
    assert reused == fresh and OTHER_SLOT in reused and SLOT not in reused

    # Other templates (a site's override) start an empty cache.
    overrides = tmp_path / "overrides"
    (overrides / "casebook").mkdir(parents=True)
    (overrides / "casebook/case_footer.html").write_text("<p>Mine</p>", encoding="utf-8")
    assert Templates(overrides).identity() != templates.identity()


def test_sanitised_html_is_reused_for_the_same_input_only(tmp_path, monkeypatch):
    calls = []
    original = block_cache.sanitize.sanitise_html
    monkeypatch.setattr(
        block_cache.sanitize, "sanitise_html", lambda html: calls.append(html) or original(html)
    )
    footer = f'<h2 id="related">Related</h2>{SLOT}<p onclick="x()">Cite <script>x()</script></p>'
    first = BlockCache(tmp_path, "templates", SLOT)
    clean = first.sanitised(footer)
    assert "onclick" not in clean and "<script" not in clean and SLOT in clean
    assert first.sanitised("<p>A</p><script>x()</script>") == "<p>A</p>"
    first.save()

    again = BlockCache(tmp_path, "templates", OTHER_SLOT)
    calls.clear()
    reused = again.sanitised(footer.replace(SLOT, OTHER_SLOT))
    assert calls == [] and reused == original(footer.replace(SLOT, OTHER_SLOT))
    assert again.sanitised("<p>A</p><script>x()</script>") == "<p>A</p>" and calls == []
    assert again.sanitised("<p>B</p><script>x()</script>") == "<p>B</p>"
    assert len(calls) == 1  # new HTML is sanitised
    # The slot is found only as this build's: HTML around another is other HTML.
    again.sanitised(footer)
    assert len(calls) == 2
    assert BlockCache(tmp_path, "other templates").sanitised("<p>A</p>") == "<p>A</p>"
    assert len(calls) == 3


def test_a_record_not_as_written_is_made_again(tmp_path):
    cache = BlockCache(tmp_path, "templates")
    key = block_cache.digest("sanitise", "<p>A</p>")
    cache.records.put(key, {"html": 1, "slot": ""})
    assert cache.sanitised("<p>A</p>") == "<p>A</p>" and cache.misses == 1


# -- through the real build ---------------------------------------------------------------


def uncached_config(content: Path, site: Path, option: str = "render_cache: false") -> Path:
    """The same site with every cache off (the render cache's switch turns off all), or
    with another of casebook's options set."""
    config = site_config(content, site)
    text = config.read_text(encoding="utf-8")
    marker = "search_index_dir: !ENV [CASEBOOK_SEARCH_INDEX_DIR, build/search_index]"
    assert marker in text
    uncached = config.with_name("uncached.yml")
    uncached.write_text(text.replace(marker, f"{marker}\n      {option}"), "utf-8")
    return uncached


def blocks_reused(result) -> int:
    (line,) = [line for line in result.lines if "casebook: block cache:" in line]
    return int(re.search(r"(\d+) blocks reused", line)[1])


def assert_same_site(content: Path, tmp_path: Path, cached: Path, name: str) -> None:
    scratch = tmp_path / f"uncached-{name}"
    config = uncached_config(content, scratch)
    result = build_in_process(content, scratch, tmp_path / f"index-u-{name}", config_file=config)
    assert result.ok, "\n".join(result.at("WARNING"))
    assert not any("block cache" in line for line in result.lines)
    assert every_file(cached) == every_file(scratch)
    assert site_files(cached).keys() <= every_file(cached).keys()  # pages, data, feed
    assert pagefind_records(cached) == pagefind_records(scratch)


def every_file(site: Path) -> dict[str, bytes]:
    """Every file the build wrote, by its bytes: pages, data, citations, assets. Not
    Pagefind's bundle (compared by its records: it writes its maps in hash order), and
    the gzipped sitemap by its contents (gzip stamps the time)."""
    files = {}
    for path in sorted(site.rglob("*")):
        name = str(path.relative_to(site))
        if path.is_file() and path.relative_to(site).parts[0] != "pagefind":
            data = path.read_bytes()
            files[name] = gzip.decompress(data) if name.endswith(".gz") else data
    return files


@pytest.mark.parametrize("edit", ["none", "related lists on other pages"])
def test_a_cached_rebuild_writes_what_a_build_without_caches_writes(content, tmp_path, edit):
    def build(name: str):
        site = tmp_path / name
        result = build_in_process(content, site, tmp_path / f"index-{name}", casebook_debug=True)
        assert result.ok, "\n".join(result.at("WARNING"))
        return site, result

    build("first")
    if edit != "none":
        # Alpha's title and themes: Beta's and Gamma's related lists name it anew, and
        # Beta now shares two themes with it.
        alpha = content / "case_studies/alpha-network.md"
        text = alpha.read_text(encoding="utf-8").replace(
            "title: Alpha Network", "title: Alpha Renamed"
        )
        alpha.write_text(
            text.replace("  - culture-shift\n", "  - culture-shift\n  - lived-experience\n"),
            encoding="utf-8",
        )
    site, result = build("second")
    assert blocks_reused(result) > 20  # a cache that never hits fails here
    beta = (site / "case_studies/beta-connections/index.html").read_text(encoding="utf-8")
    if edit != "none":
        assert "<strong>Alpha Renamed</strong>" in beta and "shares 2 themes" in beta
    assert_same_site(content, tmp_path, site, edit.replace(" ", "-"))
