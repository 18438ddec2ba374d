"""The casebook MkDocs plugin: wires MkDocs' build hooks to the core, and nothing else."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import AnchorLink, get_toc

from .background import BackgroundBuild
from .config import CasebookConfig
from .content.catalogue import load_catalogue
from .content.model import Catalogue
from .search.static_index import bundle_staging_path
from .site.export import (
    CSV_URI,
    EXPORT_URI,
    FEED_URI,
    FILTER_DATA_URI,
    atom_feed,
    case_studies_csv,
    case_studies_json,
    case_study_json_ld,
    catalogue_filter_data,
)
from .site.generate import (
    CATALOGUE_FACETS,
    Heading,
    HtmlBlock,
    browser_search_extract,
    case_list,
    case_study_footer,
    case_study_panel,
    catalogue_page,
    expand_markers,
    policy_footer,
    policy_index_page,
    self_assessment_page,
    taxonomy_pages,
)
from .site.render_cache import RenderCache, cacheable, digest
from .site.sanitize import sanitise_html
from .site.search_page import TEMPLATES, search_page

log = get_plugin_logger(__name__)


def _heading_ids(items) -> set[str]:
    ids: set[str] = set()
    for item in items:
        ids.add(item.id)
        ids |= _heading_ids(item.children)
    return ids


def _add_to_toc(page, headings: tuple[Heading, ...]) -> None:
    """Headings the plugin placed after the rendered Markdown, added to the table of
    contents under the last heading of a higher level, as the toc extension nests them."""
    for heading in headings:
        siblings = page.toc.items
        while siblings and siblings[-1].level < heading.level:
            siblings = siblings[-1].children
        siblings.append(AnchorLink(heading.title, heading.id, heading.level))
        anchors = getattr(page, "present_anchor_ids", None)  # MkDocs' anchor validation
        if isinstance(anchors, set):
            anchors.add(heading.id)


def _toc_tokens(items) -> list[dict]:
    return [
        {"level": i.level, "id": i.id, "name": i.title, "children": _toc_tokens(i.children)}
        for i in items
    ]


def _render_context(config, files: Files) -> str:
    """Everything besides a page's own Markdown that its rendering depends on."""
    import markdown
    import mkdocs

    return digest(
        mkdocs.__version__,
        markdown.__version__,
        json.dumps(config.markdown_extensions),
        json.dumps(config.mdx_configs, sort_keys=True, default=repr),
        repr(config["validation"]),
        str(config.use_directory_urls),
        "\n".join(sorted(f"{f.src_uri} {f.dest_uri}" for f in files)),
    )


def page_url_to(page_url: str, target: str) -> str:
    """A relative URL from a page (directory URL) to a file at the site root."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    return "../" * depth + target


ASSETS = Path(__file__).parent / "assets"
ASSET_URI = "assets/casebook"


class _WarningCounter(logging.Handler):
    """Counts warnings during a build, so a strict build that will abort does not
    publish its search index."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class CasebookPlugin(BasePlugin[CasebookConfig]):
    catalogue: Catalogue | None = None
    background: BackgroundBuild | None = None
    after: dict[str, HtmlBlock] = {}  # generated pages' HTML, by src_uri
    _full_content: str | None = None
    _searchable: dict[str, str] = {}  # src_uri -> the part of a page Material should index
    render_cache: RenderCache | None = None
    _context_files: Files | None = None
    _to_store: dict[str, tuple[str, int]] = {}  # src_uri -> (cache key, warnings before)

    counter: _WarningCounter | None = None

    def on_config(self, config):
        if self.counter is not None:  # `mkdocs serve` rebuilds: count afresh each time
            logging.getLogger("mkdocs").removeHandler(self.counter)
        self.counter = _WarningCounter()
        logging.getLogger("mkdocs").addHandler(self.counter)
        self.index_dir = Path(config.config_file_path).parent / self.config.search_index_dir
        if self.config.enabled:
            config.extra_css.append(f"{ASSET_URI}/casebook.css")
            names = ["catalogue.js", "self_assessment.js"]
            if self.config.static_search:
                # The header search partial, after the site's own overrides, before Material.
                if str(TEMPLATES) not in config.theme.dirs:
                    config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(TEMPLATES))
                config.extra_css.append(f"{ASSET_URI}/search.css")
                names.insert(0, "search.js")
            for name in names:
                script = ExtraScriptValue(f"{ASSET_URI}/{name}")
                script.defer = True
                config.extra_javascript.append(script)
        return config

    def on_files(self, files: Files, /, *, config) -> Files:
        if not self.config.enabled:
            return files
        self.catalogue, problems = load_catalogue(Path(config.docs_dir))
        for problem in problems:
            log.warning(str(problem))  # under --strict, any warning fails the build
        generated = taxonomy_pages(self.catalogue)
        generated.append(catalogue_page(self.catalogue))
        generated.append(policy_index_page(self.catalogue))
        if "principles" in self.catalogue.taxonomies:
            generated.append(self_assessment_page(self.catalogue))
        if self.config.static_search:
            generated.append(search_page(self.catalogue))
        self.after = {}
        for page in generated:
            if files.get_file_from_path(page.src_uri) is None:  # an author's page wins
                files.append(File.generated(config, page.src_uri, content=page.markdown))
                self.after[page.src_uri] = page.after
        files.append(File.generated(config, EXPORT_URI, content=case_studies_json(self.catalogue)))
        files.append(File.generated(config, CSV_URI, content=case_studies_csv(self.catalogue)))
        files.append(
            File.generated(
                config,
                FILTER_DATA_URI,
                content=catalogue_filter_data(self.catalogue, CATALOGUE_FACETS),
            )
        )
        files.append(
            File.generated(
                config,
                FEED_URI,
                content=atom_feed(self.catalogue, config.site_url or "", config.site_name),
            )
        )
        for asset in sorted(ASSETS.iterdir()):
            files.append(
                File.generated(config, f"{ASSET_URI}/{asset.name}", abs_src_path=str(asset))
            )
        self._discard()
        self.background = BackgroundBuild(
            self.catalogue,
            self.config.related_limit,
            self.index_dir if self.config.search_index else None,
            bundle_staging_path(Path(config.site_dir)) if self.config.static_search else None,
        )
        # Where each case study's related list goes once the second process has worked it
        # out; random per build, so no contributed HTML can stand in for it.
        self._related_slot = f'<div id="cb-related-{secrets.token_hex(8)}"></div>'
        self.render_cache, self._context_files, self._to_store = None, None, {}
        self._searchable = {}
        return files

    def _expand(self, markdown: str, /, *, page, config, files) -> str:
        if not self.config.enabled or self.catalogue is None:
            return markdown
        return expand_markers(markdown, self.catalogue, page.file.src_uri)

    @event_priority(-100)  # last: the key is the Markdown exactly as it will be rendered
    def _reuse_rendering(self, markdown: str, /, *, page, config, files) -> str:
        cache = self._cache_for(config, files)
        if cache is None:
            return markdown
        key = digest(page.file.src_uri, markdown)
        record = cache.get(key)
        if record is None:
            self._to_store[page.file.src_uri] = (key, self.counter.count)
        else:
            page.render = lambda config, files: self._restore(page, record, files)
        return markdown

    on_page_markdown = CombinedEvent(_expand, _reuse_rendering)

    def _cache_for(self, config, files) -> RenderCache | None:
        if not (self.config.enabled and self.config.render_cache):
            return None
        if self._context_files is not files:  # once a build
            self._context_files = files
            self.render_cache = None
            if cacheable(config.markdown_extensions):
                path = Path(config.config_file_path).parent / self.config.cache_dir
                self.render_cache = RenderCache(
                    path / "rendered.json", _render_context(config, files)
                )
        return self.render_cache

    def _restore(self, page, record: dict, files: Files) -> None:
        """Stands in for Page.render: sets what it sets, from what it set last time."""
        del page.render
        page.content = record["html"]
        page.toc = get_toc(record["toc"])
        page._title_from_render = record["title"]
        page.present_anchor_ids = set(record["anchors"])
        page.links_to_anchors = {
            target: links
            for uri, links in record["links"].items()
            if (target := files.get_file_from_path(uri)) is not None
        }

    @event_priority(100)  # first: keep the rendering before any plugin changes it
    def _keep_rendering(self, html: str, /, *, page, config, files) -> str:
        pending = self._to_store.pop(page.file.src_uri, None)
        # Only a rendering that logged no warning is kept: reusing it would hide them.
        if pending is not None and pending[1] == self.counter.count and self.render_cache:
            self.render_cache.put(
                pending[0],
                {
                    "html": html,
                    "toc": _toc_tokens(page.toc),
                    "title": getattr(page, "_title_from_render", None),
                    "anchors": sorted(page.present_anchor_ids or ()),
                    "links": {
                        target.src_uri: links
                        for target, links in (page.links_to_anchors or {}).items()
                    },
                },
            )
        return html

    def _place_blocks(self, html: str, /, *, page, config, files) -> str:
        """Place the generated blocks around the rendered Markdown, then sanitise it all."""
        if not self.config.enabled:
            return html
        if self.catalogue is None:
            return sanitise_html(html)
        before, after = self._blocks(page, config)
        _add_to_toc(page, after.headings)
        # Sanitised apart, so no unclosed tag in a page can swallow the blocks after it.
        page_html = sanitise_html(before + html)
        if after.search_exclude:  # Material's search parses only what it would index
            self._searchable[page.file.src_uri] = page_html
        return page_html + sanitise_html(after.html) if after.html else page_html

    on_page_content = CombinedEvent(_keep_rendering, _place_blocks)

    def _blocks(self, page, config) -> tuple[str, HtmlBlock]:
        catalogue, src_uri = self.catalogue, page.file.src_uri
        case = catalogue.case_study_at(src_uri)
        if case is not None:
            footer = case_study_footer(
                catalogue,
                case,
                related_html=self._related_slot,
                site_url=config.site_url or "",
                taken=frozenset(_heading_ids(page.toc)),
            )
            return case_study_panel(catalogue, case), footer
        policy = catalogue.policy_at(src_uri)
        if policy is not None:
            return "", policy_footer(catalogue, policy, frozenset(_heading_ids(page.toc)))
        return "", self.after.get(src_uri, HtmlBlock())

    @event_priority(100)  # before Material's search plugin reads page.content
    def _show_search_the_summary(self, context, /, *, page, config, nav):
        if self.config.static_search:
            # The static index serves the header search; Material's plugin stays only for
            # its header button and dialog, and indexes nothing.
            page.meta["search"] = {"exclude": True}
            return context
        case = self.catalogue.case_study_at(page.file.src_uri) if self.catalogue else None
        searchable = self._searchable.pop(page.file.src_uri, None)
        if case is not None:
            self._full_content = page.content
            page.content = browser_search_extract(case)
        elif searchable is not None:
            self._full_content, page.content = page.content, searchable
        return context

    @event_priority(-100)  # after it: the page itself renders in full
    def _restore_content(self, context, /, *, page, config, nav):
        if self._full_content is not None:
            page.content, self._full_content = self._full_content, None
        return context

    on_page_context = CombinedEvent(_show_search_the_summary, _restore_content)

    def on_post_page(self, output: str, /, *, page, config) -> str:
        """Structured data goes in after sanitising (which rightly strips scripts), and is
        built only from escaped front-matter values."""
        if not self.config.enabled or self.catalogue is None:
            return output
        case = self.catalogue.case_study_at(page.file.src_uri)
        if case is not None and self.background is not None:
            slugs = self.background.related().get(case.slug, [])
            cases = [self.catalogue.case_study(slug) for slug in slugs]
            related = sanitise_html(case_list([c for c in cases if c], case.src_uri))
            output = output.replace(self._related_slot, related, 1)
        head = (
            f'<link rel="alternate" type="application/atom+xml" title="Case studies" '
            f'href="{page_url_to(page.url, FEED_URI)}">'
        )
        if case is not None:
            json_ld = case_study_json_ld(
                self.catalogue, case, config.site_url or "", config.site_name
            )
            head += f'\n<script type="application/ld+json">{json_ld}</script>'
        return output.replace("</head>", head + "\n</head>", 1)

    def on_post_build(self, *, config) -> None:
        if self.render_cache is not None:
            cache, self.render_cache = self.render_cache, None
            cache.save()
            log.debug(f"render cache: {cache.hits} pages reused, {cache.misses} rendered")
        if self.background is None:
            return
        background, self.background = self.background, None
        bundle, reason = background.bundle()
        if bundle is not None:
            bundle.publish(Path(config.site_dir))
        elif self.config.static_search:
            log.warning(f"the site's search could not be built: {reason}")
        if not self.config.search_index:
            background.wait()
            return
        staged = background.wait()
        if staged is None:
            log.warning("the search index could not be updated; the previous one is kept")
            return
        if config.strict and self.counter.count:
            log.info("strict build has warnings: the previous search index is kept")
            staged.discard()
            return
        staged.publish()
        log.info(str(staged.report))

    def on_build_error(self, *, error) -> None:
        self._discard()

    def on_shutdown(self) -> None:
        self._discard()
        logging.getLogger("mkdocs").removeHandler(
            getattr(self, "counter", None) or logging.NullHandler()
        )

    def _discard(self) -> None:
        if self.background is not None:
            self.background.cancel()
            self.background = None
