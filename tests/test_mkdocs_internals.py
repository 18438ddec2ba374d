"""The MkDocs internals casebook relies on, pinned to the versions they were checked with,
and ProperDocs (MkDocs' continuation) building the same site as MkDocs."""

import importlib.metadata
import os
import subprocess
import sys

from casebook.mkdocs_internals import (
    CHECKED_WITH,
    add_to_toc,
    engine_logger,
    heading_ids,
    rendering_of,
    reuse_rendering,
)
from casebook.site.templating import Heading

from .conftest import pagefind_records, site_config, write


def test_the_installed_engines_are_the_versions_these_internals_were_checked_with():
    installed = {name: importlib.metadata.version(name) for name in CHECKED_WITH}
    assert installed == CHECKED_WITH, (
        "mkdocs_internals.py reaches into Page.render's attributes, the toc classes, "
        "get_data's front matter rules and Material's search plugin: "
        "check them against the new version, then update CHECKED_WITH"
    )


def rendered_page(tmp_path, markdown: str):
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    docs = tmp_path / "docs"
    write(docs, "index.md", markdown)
    write(docs, "other.md", "# Other\n\n## Part\n")
    config = load_config(
        config_file=None, docs_dir=str(docs), site_name="t", markdown_extensions=["toc"]
    )
    files = Files(
        [File(n, str(docs), str(tmp_path / "site"), True) for n in ("index.md", "other.md")]
    )
    page = Page(None, files.get_file_from_path("index.md"), config)
    page.read_source(config)
    page.render(config, files)
    return page, config, files


def test_a_kept_rendering_restores_what_page_render_sets(tmp_path):
    from mkdocs.structure.pages import Page

    page, config, files = rendered_page(tmp_path, "# Title\n\n## One\n\n[x](other.md#part)\n")
    record = rendering_of(page, page.content)
    again = Page(None, page.file, config)
    again.read_source(config)
    reuse_rendering(again, record)
    again.render(config, files)
    assert again.content == page.content
    assert again.title == "Title"
    assert [(i.title, i.id) for i in again.toc.items[0].children] == [("One", "one")]
    assert again.present_anchor_ids == page.present_anchor_ids == {"title", "one"}
    assert again.links_to_anchors == page.links_to_anchors != {}


def test_added_headings_nest_in_the_toc_and_count_as_anchors(tmp_path):
    page, _, _ = rendered_page(tmp_path, "# Title\n\n## One\n")
    add_to_toc(page, (Heading(2, "two", "Two"), Heading(3, "two-a", "Two A")))
    top = page.toc.items[0]
    assert [i.id for i in top.children] == ["one", "two"]
    assert [i.id for i in top.children[1].children] == ["two-a"]
    assert {"two", "two-a"} <= page.present_anchor_ids
    assert heading_ids(page.toc) == {"title", "one", "two", "two-a"}


def test_hiding_pages_from_materials_search_changes_no_file(content, tmp_path, monkeypatch):
    """Material's search indexes no page of a site with the static index, and removes
    `data-search-*` attributes: a page without any is hidden from it, the others not."""
    from casebook import mkdocs_internals
    from mkdocs.config import load_config

    from .conftest import build_in_process
    from .test_render_cache import site_files

    write(content, "guides/marked.md", '# Marked\n\n<p data-search-x="yes">Kept</p>\n')
    config = load_config(config_file=str(site_config(content, tmp_path / "hidden")))
    assert mkdocs_internals.only_material_search_reads_content(config)
    hidden = build_in_process(content, tmp_path / "hidden", tmp_path / "index-hidden")
    assert hidden.ok, hidden.lines
    monkeypatch.setattr(
        mkdocs_internals, "only_material_search_reads_content", lambda config: False
    )
    shown = build_in_process(content, tmp_path / "shown", tmp_path / "index-shown")
    assert shown.ok, shown.lines
    assert site_files(hidden.site) == site_files(shown.site)
    marked = (hidden.site / "guides/marked/index.html").read_text(encoding="utf-8")
    assert "<p>Kept</p>" in marked and "data-search-x" not in marked


def test_warnings_are_counted_on_the_engines_own_logger():
    assert engine_logger().name == "mkdocs"


def build(engine: str, content, site, tmp_path):
    config = site_config(content, site)
    environment = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        DISABLE_MKDOCS_2_WARNING="true",
        CASEBOOK_SEARCH_INDEX_DIR=str(tmp_path / f"index-{engine}"),
    )
    command = [sys.executable, "-m", engine, "build", "--strict", "-f", str(config)]
    command += ["--site-dir", str(site)]
    return subprocess.run(command, capture_output=True, text=True, env=environment)


def test_properdocs_builds_the_same_site_as_mkdocs(content, tmp_path):
    sites = {engine: tmp_path / engine for engine in ("mkdocs", "properdocs")}
    for engine, site in sites.items():
        result = build(engine, content, site, tmp_path)
        assert result.returncode == 0, result.stderr
    # Pagefind's binary names its chunks by a hash of an order it does not keep stable
    # between runs: its bundle is compared by the records it holds, the rest by bytes.
    assert pagefind_records(sites["mkdocs"]) == pagefind_records(sites["properdocs"])
    files = {
        engine: sorted(
            p.relative_to(site)
            for p in site.rglob("*")
            if p.is_file() and p.relative_to(site).parts[0] != "pagefind"
        )
        for engine, site in sites.items()
    }
    assert files["mkdocs"] == files["properdocs"]
    differ = []
    for relative in files["mkdocs"]:
        if relative.name == "sitemap.xml.gz":  # compressed with a timestamp
            continue
        ours, theirs = (sites[e].joinpath(relative).read_bytes() for e in sites)
        generator = b'content="mkdocs-ProperDocs 1.6.7, '
        if ours != theirs.replace(generator, b'content="mkdocs-1.6.1, '):
            differ.append(str(relative))
    assert differ == []
    assert (tmp_path / "index-properdocs").is_dir()  # the plugin ran under ProperDocs


def test_a_strict_properdocs_build_counts_casebook_warnings(content, tmp_path):
    """Under ProperDocs the plugin's messages go to the "properdocs" logger: a strict build
    with a content problem must fail and keep its search index unpublished."""
    broken = content / "case_studies" / "alpha-network.md"
    broken.write_text(broken.read_text().replace("place: glasgow-city", "place: atlantis"))
    result = build("properdocs", content, tmp_path / "site", tmp_path)
    assert result.returncode != 0
    assert "atlantis" in result.stderr
    assert not (tmp_path / "index-properdocs").exists()


def test_the_lock_pins_released_versions_only():
    from packaging.version import Version

    from .conftest import ROOT

    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line
    )
    assert {"mkdocs", "properdocs"} <= set(pins)
    assert [f"{n}=={v}" for n, v in pins.items() if Version(v).is_prerelease] == []
    project = (ROOT / "pyproject.toml").read_text() + (ROOT / "Makefile").read_text()
    assert "--pre" not in project and "prerelease" not in project
