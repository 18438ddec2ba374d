"""The casebook MkDocs plugin: wires MkDocs' build hooks to the core, and nothing else.

What it needs of MkDocs beyond the plugin API (a page's rendering, its table of
contents, how it splits a page's front matter) is in mkdocs_internals.py.

Over 250 lines because the plugin uses twelve of MkDocs' hooks, and four of them chain
several steps (the render and page caches, the generated blocks, the page guard); each
hook is a few lines that call the core.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from . import mkdocs_internals as internals
from .background import BACKGROUND_NICENESS, BackgroundBuild
from .config import CasebookConfig
from .content.catalogue import load_catalogue
from .content.content_tree import publishable
from .content.fields import documented_keys
from .content.load import Document
from .content.model import Catalogue
from .content.two_processes import map_in_two
from .search.static_index import BUNDLE_DIR, bundle_staging_path
from .search.term_count_cache import FILE as TERM_COUNTS
from .site import blocks, quick_markdown
from .site.block_cache import BlockCache
from .site.directories import PREVIOUS_SITE_VARIABLE, PreviousSite
from .site.export import EXPORT_URI, open_data_files
from .site.file_writer import FileWriter
from .site.generate import GeneratedPage, generated_pages
from .site.page_cache import PageCache
from .site.page_guard import (
    ScriptPolicy,
    escape_config,
    escape_nav,
    escape_page,
    guard_page,
    scan_context,
    theme_inline_scripts,
    theme_text,
)
from .site.page_writer import PageWriter
from .site.render_cache import CacheOverRecords, RenderCache, cacheable, digest
from .site.sanitize import sanitise_html
from .site.search_page import TEMPLATES, search_page
from .site.second_renderer import SecondRenderer
from .site.templating import TemplateProblem, Templates, compiled_template_cache
from .site.views import breadcrumbs

log = get_plugin_logger(__name__)
# A build that reuses this share of the library's checks is a rebuild: MkDocs' pages come
# mostly from the caches and are done first, so the second process keeps their priority.
REBUILD_SHARE = 0.9
# The last build's folders whose files this one links where unchanged (file_writer.py):
# the open data and the search bundle.
LINKED_FOLDERS = (EXPORT_URI.partition("/")[0], BUNDLE_DIR)
ASSETS = Path(__file__).parent / "assets"
ASSET_URI = "assets/casebook"
# The site's own scripts, each an external deferred file (the CSP lists no inline one).
SCRIPTS = ("catalogue.js", "self_assessment.js", "wayfinding.js", "cite.js")
# Each content file's reading and checking, kept in the cache directory by its bytes.
CHECKED_FILE = "checked.json"
CHECK_CACHE = {"name": "check cache", "without": "every file is read and checked"}
# The theme's and casebook's templates as Jinja2 compiled them, in the cache directory,
# a folder each: Jinja2 keys an entry by the template's name and file only, and the two
# environments compile the same file differently (casebook's escapes, the theme's not).
COMPILED_TEMPLATES = "templates"


def core(function, *arguments, **keywords):
    """Call the core; a template's failure stops the build with the template's path and
    line, not a traceback."""
    try:
        return function(*arguments, **keywords)
    except TemplateProblem as error:
        raise PluginError(str(error)) from None


def _save(cache: RenderCache | CacheOverRecords) -> None:
    cache.save()


def _show_core_warnings() -> None:
    """The core reports faults it repaired (a damaged index or cache, rebuilt) on the
    `casebook` logger: shown like MkDocs' warnings, but not counted by --strict, since
    the build that reports one has already put it right."""
    core = logging.getLogger("casebook")
    if not core.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("WARNING -  casebook: %(message)s"))
        core.addHandler(handler)


class CasebookPlugin(BasePlugin[CasebookConfig]):
    catalogue: Catalogue | None = None
    templates: Templates | None = None
    background: BackgroundBuild | None = None
    generated: dict[str, GeneratedPage] = {}  # by src_uri
    _full_content: str | None = None
    _searchable: dict[str, str] = {}  # src_uri -> the part of a page Material should index
    render_cache: RenderCache | None = None
    _context_files: Files | None = None
    _to_store: dict[str, tuple[str, int]] = {}  # src_uri -> (cache key, warnings before)
    page_cache: PageCache | None = None
    scanned: RenderCache | None = None  # pages the guard found safe, by their text
    _nav = None
    _page_templates: dict[str, str] = {}  # src_uri -> the theme template it would use
    _search_skips_content = False  # Material's search needs no page's content, see internals
    _page_key = ""  # what every page's rendering by the theme depends on, this build
    _pages_to_store: dict[str, tuple[str, int]] = {}  # as _to_store, for the page cache
    counter: internals.WarningCounter | None = None
    file_writer: FileWriter | None = None
    previous_site: PreviousSite | None = None
    block_cache: BlockCache | None = None  # blocks rendered and sanitised, between builds
    page_writer: PageWriter | None = None  # writes the finished pages in a second process
    second_renderer: SecondRenderer | None = None  # renders pages from the last one back
    _page_order: dict[str, int] = {}  # src_uri -> its place in the second renderer's list
    _handed: dict[str, list[str]] = {}  # page cache key -> what the second renderer sent
    _finished: set[str] = set()  # src_uris of pages finished by the second renderer
    _taken: internals.TakenPages | None = None
    _parsed: dict[str, Document] = {}  # src_uri -> the file as casebook read it, this build
    _read: dict[str, tuple[str, dict]] = {}  # src_uri -> (Markdown handed to MkDocs, meta)
    _reuse_front_matter = False  # on, and no other plugin or hook reads pages' sources

    def on_config(self, config):
        _show_core_warnings()
        if self.counter is not None:  # `mkdocs serve` rebuilds: count afresh each time
            self.counter.detach()
        self.counter = internals.WarningCounter().attach()
        self.index_dir = Path(config.config_file_path).parent / self.config.search_index_dir
        self._site_name = str(config.site_name)  # before on_env escapes it for the theme
        self._search_skips_content = internals.only_material_search_reads_content(config)
        self._reuse_front_matter = self.config.reuse_front_matter and (
            internals.reads_page_sources_alone(config)
        )
        if self.config.enabled:
            # The same HTML, sooner (site/quick_markdown.py); once, as `serve` may hand
            # the same config back.
            if quick_markdown.NAME not in config.markdown_extensions:
                config.markdown_extensions.append(quick_markdown.NAME)
            config.extra_css.append(f"{ASSET_URI}/casebook.css")
            names = list(SCRIPTS)
            if self.config.static_search:
                # The header search partial, after the site's own overrides, before Material.
                if str(TEMPLATES) not in config.theme.dirs:
                    config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(TEMPLATES))
                config.extra_css.append(f"{ASSET_URI}/search.css")
                names.insert(0, "search.js")  # first: the catalogue asks it for matches
            for name in names:
                script = ExtraScriptValue(f"{ASSET_URI}/{name}")
                script.defer = True
                config.extra_javascript.append(script)
            compiled = self._compiled_templates(config, "casebook")
            self.templates = self._load_templates(config.theme.custom_dir, compiled)
        self.script_policy = ScriptPolicy(
            script_files={str(script) for script in config.extra_javascript},
            inline=theme_inline_scripts(config.theme.dirs),
            site_url=config.site_url or "",
        )
        return config

    def _compiled_templates(self, config, environment: str):
        """Compiled templates kept with the other caches: the theme's, or casebook's."""
        if not self.config.render_cache:
            return None
        return compiled_template_cache(self._cache_dir(config) / COMPILED_TEMPLATES / environment)

    @staticmethod
    def _load_templates(custom_dir: str | None, compiled=None) -> Templates:
        """The site's overrides first, then the shipped templates, all compiled now so a
        broken override stops the build at once with its file and line."""
        templates = Templates(custom_dir, compiled)
        for problem in templates.problems:
            log.warning(str(problem))
        core(templates.check)
        if templates.overrides:
            names = ", ".join(path.name for path in templates.overrides)
            log.info(f"templates overridden from {templates.overrides[0].parent}: {names}")
        return templates

    def on_pre_build(self, *, config) -> None:
        """Before MkDocs cleans the site directory: the last build's files go aside and
        are removed meanwhile (a bare `mkdocs build`; `casebook build` starts empty),
        except the folders whose unchanged files this build links (see _previous_build)."""
        self._clear_previous_site()
        if self.config.enabled:
            self.previous_site = PreviousSite(Path(config.site_dir), keep=LINKED_FOLDERS)

    def on_files(self, files: Files, /, *, config) -> Files:
        self._parsed, self._read, self._rebuild = {}, {}, False
        if not self.config.enabled:
            return files
        self.catalogue, problems = self._load_catalogue(config)
        for problem in problems:
            # Under --strict an error fails the build; advice (a short body) is shown at
            # info and passes, as in `casebook check`, whose --strict fails on it too.
            (log.warning if problem.is_error else log.info)(str(problem))
        # The second process first: it needs only the library, and the rest here is
        # time it can use (the Pagefind bundle is the end of a warm rebuild).
        self._discard()
        previous = self._previous_build()
        self.background = BackgroundBuild(
            self.catalogue,
            self.config.related_limit,
            self.index_dir if self.config.search_index else None,
            bundle_staging_path(Path(config.site_dir)) if self.config.static_search else None,
            previous / BUNDLE_DIR if previous is not None else None,
            self._cache_dir(config) / TERM_COUNTS if self.config.render_cache else None,
            0 if self._rebuild else BACKGROUND_NICENESS,
        )
        # Publish exactly what the check accepts: no symlink, no other file type, no page
        # over the rendering budget (MkDocs itself follows links and copies any file).
        accepted = publishable(Path(config.docs_dir), self.catalogue.documents)
        for file in [f for f in files if f.generated_by is None and f.src_uri not in accepted]:
            if Path(file.abs_src_path or "").is_relative_to(Path(config.docs_dir).absolute()):
                files.remove(file)
                log.info(f"not published (see the problems above): {file.src_uri}")
        # Random per build, so no contributed HTML can stand in for it: where each case
        # study's related list goes once the second process has worked it out.
        self._related_slot = f'<div id="cb-related-{secrets.token_hex(8)}"></div>'
        self._start_block_cache(config)
        self.generated = {}
        pages = core(generated_pages, self.catalogue, self.templates)
        if self.config.static_search:
            pages.append(core(search_page, self.catalogue, self.templates))
        for page in pages:
            if files.get_file_from_path(page.src_uri) is None:  # an author's page wins
                files.append(File.generated(config, page.src_uri, content=page.markdown))
                self.generated[page.src_uri] = page
        site = (config.site_url or "", self._site_name)
        data = open_data_files(self.catalogue, *site)
        # Written beside the rendering (MkDocs has cleaned the site by now); a contributed
        # file at the same path is MkDocs' to copy, as an author's page wins above.
        data = {uri: text for uri, text in data.items() if files.get_file_from_path(uri) is None}
        for asset in sorted(ASSETS.iterdir()):
            files.append(
                File.generated(config, f"{ASSET_URI}/{asset.name}", abs_src_path=str(asset))
            )
        self.file_writer = FileWriter(Path(config.site_dir), data, previous)
        self.render_cache, self._context_files, self._to_store = None, None, {}
        self.page_cache, self._page_templates, self._pages_to_store = None, {}, {}
        self.scanned = None
        self._searchable = {}
        if self._reuse_front_matter:
            documents = self.catalogue.documents.items()
            self._parsed = {uri: doc for uri, doc in documents if doc.front_matter is not None}
        return files

    def _previous_build(self) -> Path | None:
        """The last build's files, for the writers to link the unchanged ones from: set
        aside in the site directory by a bare `mkdocs build`, or the live site that
        `casebook build` (building into an empty folder) names in the environment. Only
        read: a file is linked only where its bytes are the same."""
        if self.previous_site is not None and self.previous_site.aside is not None:
            return self.previous_site.aside
        live = os.environ.get(PREVIOUS_SITE_VARIABLE)
        return Path(live) if live else None

    def _load_catalogue(self, config):
        """The library, read and checked; with the caches on, only files whose bytes
        changed since the last build are parsed and checked again (the verdict is the
        same, content/checked_files.py)."""
        if not self.config.render_cache:
            return load_catalogue(Path(config.docs_dir))
        kept = RenderCache(self._cache_dir(config) / CHECKED_FILE, "checked-files", **CHECK_CACHE)
        found = load_catalogue(Path(config.docs_dir), cache=kept)
        kept.save()
        log.debug(f"check cache: {kept.hits} files reused, {kept.misses} checked")
        self._rebuild = kept.hits >= REBUILD_SHARE * (kept.hits + kept.misses) > 0
        return found

    def _cache_dir(self, config) -> Path:
        """Where the caches are kept: cache_dir, relative to mkdocs.yml's folder."""
        return Path(config.config_file_path).parent / self.config.cache_dir

    def _start_block_cache(self, config) -> None:
        """The blocks the last build rendered and sanitised, by exactly their inputs."""
        self.block_cache = None
        if self.templates is not None:
            self.templates.memo = None
        if not self.config.render_cache or self.templates is None:
            return
        self.block_cache = BlockCache(
            self._cache_dir(config), self.templates.identity(), self._related_slot
        )
        self.templates.memo = self.block_cache

    def _sanitised(self, html: str) -> str:
        cache = self.block_cache
        return cache.sanitised(html) if cache is not None else sanitise_html(html)

    def on_nav(self, nav, /, *, config, files):
        # mkdocs.yml sends MkDocs' page-by-page list to debug (`-v`); one line here says
        # how many pages the nav leaves to the index pages, so a real warning stays visible.
        outside = sum(1 for f in files.documentation_pages() if f.inclusion.is_in_nav())
        outside -= len(nav.pages)
        if outside > 0:
            log.info(
                f"{outside} pages (case studies, policy and term pages) are linked from index "
                "pages rather than the nav; `mkdocs build -v` lists them"
            )
        escape_nav(nav.items)  # section and link titles; page titles wait for on_env
        self._nav = nav
        return nav

    def on_page_read_source(self, /, *, page, config) -> str | None:
        """A page casebook has read: its Markdown, so MkDocs does not parse the front
        matter a second time (0.16 s of CPU a build at 1,000 case studies); its meta
        goes in below. None, and MkDocs reads the page itself, wherever the two could
        differ."""
        document = self._parsed.get(page.file.src_uri)
        if document is None:
            return None
        try:
            source = page.file.content_string
        except (OSError, ValueError):  # MkDocs reads it again, and says what is wrong
            return None
        read = internals.read_source(source, document.front_matter, document.meta)
        if read is None:
            return None
        self._read[page.file.src_uri] = read
        return read[0]

    @event_priority(110)  # first: no plugin may see the page without its meta
    def _give_meta(self, markdown: str, /, *, page, config, files) -> str:
        read = self._read.pop(page.file.src_uri, None)
        # (unless another plugin's on_page_read_source replaced the source after ours)
        if read is not None and markdown == read[0] and not page.meta:
            page.meta = read[1]
        return markdown

    def _expand(self, markdown: str, /, *, page, config, files) -> str:
        if not self.config.enabled or self.catalogue is None:
            return markdown
        src_uri = page.file.src_uri
        return core(blocks.expand_markers, markdown, self.catalogue, src_uri, self.templates)

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
            internals.reuse_rendering(page, record)
        return markdown

    on_page_markdown = CombinedEvent(_give_meta, _expand, _reuse_rendering)

    def _cache_for(self, config, files) -> RenderCache | None:
        if not (self.config.enabled and self.config.render_cache):
            return None
        if self._context_files is not files:  # once a build
            self._context_files = files
            self.render_cache = None
            if cacheable(config.markdown_extensions):
                context = internals.render_context(config, files)
                path = self._cache_dir(config) / "rendered.json"
                self.render_cache = RenderCache(path, context)
        return self.render_cache

    @event_priority(100)  # first: keep the rendering before any plugin changes it
    def _keep_rendering(self, html: str, /, *, page, config, files) -> str:
        pending = self._to_store.pop(page.file.src_uri, None)
        # Only a rendering that logged no warning is kept: reusing it would hide them.
        if pending is not None and pending[1] == self.counter.count and self.render_cache:
            self.render_cache.put(pending[0], internals.rendering_of(page, html))
        return html

    def _place_blocks(self, html: str, /, *, page, config, files) -> str:
        """Place the generated blocks around the rendered Markdown, then sanitise it all."""
        if not self.config.enabled:
            return html
        if self.catalogue is None:
            return self._sanitised(html)
        before, after = core(
            blocks.page_blocks,
            self.templates,
            self.catalogue,
            page.file.src_uri,
            taken=frozenset(internals.heading_ids(page.toc)),
            related_slot=self._related_slot,
            site_url=config.site_url or "",
            generated=self.generated,
        )
        internals.add_to_toc(page, before.headings + after.headings)
        # Sanitised apart, so no unclosed tag in a page can swallow the blocks after it.
        page_html = self._sanitised(before.html + html)
        if after.search_exclude:  # Material's search parses only what it would index
            self._searchable[page.file.src_uri] = page_html
        return page_html + self._sanitised(after.html) if after.html else page_html

    on_page_content = CombinedEvent(_keep_rendering, _place_blocks)

    @event_priority(100)  # before Material's search plugin reads page.content
    def _show_search_the_summary(self, context, /, *, page, config, nav):
        if self.config.static_search:
            # The static index serves the header search; Material's plugin stays only for
            # its header button and dialog, and indexes nothing.
            page.meta["search"] = {"exclude": True}
            content = page.content or ""
            if self._search_skips_content and "data-search-" not in content:
                self._full_content, page.content = content, ""  # nothing in it for search
            return context
        case = self.catalogue.case_study_at(page.file.src_uri) if self.catalogue else None
        searchable = self._searchable.pop(page.file.src_uri, None)
        if case is not None:
            self._full_content = page.content
            page.content = core(blocks.browser_search_extract, self.templates, case)
        elif searchable is not None:
            self._full_content, page.content = page.content, searchable
        return context

    @event_priority(-100)  # after it: the page itself renders in full
    def _restore_content(self, context, /, *, page, config, nav):
        if self._full_content is not None:
            page.content, self._full_content = self._full_content, None
        return context

    def _wayfinding(self, context, /, *, page, config, nav):
        """Breadcrumbs for the theme's templates, and each case study's or policy page's
        summary as its meta description (and so its Open Graph description)."""
        if not self.config.enabled or self.catalogue is None:
            return context
        src_uri = page.file.src_uri
        context["casebook_breadcrumbs"] = breadcrumbs(self.catalogue, src_uri, page.title or "")
        context["casebook_case_study"] = self.catalogue.case_study_at(src_uri) is not None
        item = self.catalogue.case_study_at(src_uri) or self.catalogue.policy_at(src_uri)
        if item is not None and item.summary and not page.meta.get("description"):
            # on_env has escaped the front matter's own description; this one comes later
            page.meta["description"] = theme_text(item.summary)
        return context

    @event_priority(-110)  # after every change to the context: the key covers it whole
    def _reuse_page(self, context, /, *, page, config, nav):
        template = self._page_templates.get(page.file.src_uri)
        if template is None or self.page_cache is None:
            return context
        context["casebook_page_template"] = template
        key = internals.page_key(self._page_key, page, context, template, self._related_slot)
        finished = self._finished_elsewhere(page.file.src_uri, key)
        if finished is not None:
            context["casebook_cached_page"] = finished
            return context
        found = self.page_cache.get(key)
        if found is None:
            self._pages_to_store[page.file.src_uri] = (key, self.counter.count)
        else:
            output, slot = found
            context["casebook_cached_page"] = output.replace(slot, self._related_slot)
        return context

    on_page_context = CombinedEvent(
        _show_search_the_summary, _wayfinding, _restore_content, _reuse_page
    )

    def on_env(self, env, /, *, config, files):
        """Every page has its title by now (the theme prints other pages' titles in the
        nav and footer), and none is rendered yet: escape them all for the theme once."""
        taxonomies = self.catalogue.taxonomies.values() if self.catalogue else ()
        contributed = documented_keys(taxonomy.field for taxonomy in taxonomies)
        for file in files.documentation_pages():
            if file.page is not None:  # generated pages keep the keys the plugin wrote
                escape_page(file.page, contributed if file.generated_by is None else None)
        escape_config(config)
        # The About page's URL for the footer (overrides/partials/footer.html), or "" when
        # the site has none, so the footer never links to a page that is not there.
        about = files.get_file_from_path("about.md")
        env.globals["casebook_about"] = about.url if about is not None else ""
        if self.config.enabled and env.bytecode_cache is None:
            env.bytecode_cache = self._compiled_templates(config, "theme")
        self._start_page_cache(env, config, files)
        self._start_page_writer(config)
        self._start_second_renderer(env, config, files)
        return env

    def _start_second_renderer(self, env, config, files) -> None:
        """In a build that renders most pages afresh, a fork renders whole pages (the
        theme's output, then post_page: related list, <head>, guard) from the last one
        back, and MkDocs takes each under the page cache's key (site/second_renderer.py).
        The guard is not run twice: the fork ran it on exactly the page that is written."""
        self._stop_second_renderer()
        if self.page_cache is None or self._rebuild:
            return
        if self.background is not None:
            self.background.related()  # here before the fork, which then has them too
        doc_files = files.documentation_pages()
        pages = [
            file.page
            for file in doc_files
            if file.page is not None and file.src_uri in self._page_templates
        ]
        self._page_order = {page.file.src_uri: number for number, page in enumerate(pages)}
        self._handed, self._finished = {}, set()
        nav, counter, waiting = self._nav, self.counter, self._pages_to_store
        caches = self._journaled_caches()  # the fork's copies, once forked

        def render(number: int) -> tuple[str, ...] | None:  # in the fork
            self.page_writer = None  # MkDocs' process writes the pages it is sent
            for cache in caches.values():
                cache.journal = []
            page, warnings = pages[number], counter.count
            theme = internals.render_theme_page(page, config, doc_files, nav, env)
            pending = waiting.pop(page.file.src_uri, None)
            finished = config.plugins.on_post_page(theme, page=page, config=config)
            # as _keep_page: a page whose rendering warned is rendered (and warns) there
            if pending is None or counter.count != warnings:
                return None
            journal = {name: cache.journal for name, cache in caches.items()}
            return pending[0], theme, finished, json.dumps(journal)

        writer = self.page_writer.descriptors() if self.page_writer is not None else []
        self.second_renderer = SecondRenderer(len(pages), render, inherited=writer)

    def _journaled_caches(self) -> dict[str, RenderCache]:
        """The caches post_page uses, by name: what the fork used and made of them is
        replayed here, so the next build finds it."""
        caches = {"scanned": self.scanned}
        if self.block_cache is not None:
            caches["blocks"] = self.block_cache.records
        return {name: cache for name, cache in caches.items() if cache is not None}

    def _finished_elsewhere(self, src_uri: str, key: str) -> str | None:
        """The finished page the second renderer sent under `key`, if any, with the theme's
        output kept for the page cache and the fork's use of the other caches replayed.
        It is told this page is reached; what else it sent waits for its page."""
        number = self._page_order.get(src_uri)
        if self.second_renderer is None or number is None or self.page_cache is None:
            return None
        for key_sent, *rest in self.second_renderer.reached(number):
            self._handed[key_sent] = rest
        handed = self._handed.pop(key, None)
        if handed is None:
            return None
        theme, finished, journal = handed
        self.page_cache.put(key, theme, self._related_slot)
        caches = self._journaled_caches()
        for name, entries in json.loads(journal).items():
            if name in caches:
                caches[name].replay(entries)
        self._finished.add(src_uri)
        return finished

    def _stop_second_renderer(self) -> None:
        renderer, self.second_renderer = self.second_renderer, None
        self._page_order, self._handed, self._finished = {}, {}, set()
        if renderer is not None:
            renderer.stop()
            log.debug(f"second renderer: {renderer.received} pages rendered from the end")

    def _start_page_writer(self, config) -> None:
        """Only where the plugins are known: any other might expect MkDocs to write the
        output its on_post_page returns."""
        self._stop_page_writer(finish=False)
        if self.config.enabled and internals.page_cache_allowed(config):
            self.page_writer = PageWriter(Path(config.site_dir))
            self._taken = internals.TakenPages().attach()

    def _stop_page_writer(self, *, finish: bool = True) -> list[str]:
        """Once the pages handed over are written, the problems; or (a failed build) the
        writer stopped where it is."""
        writer, self.page_writer = self.page_writer, None
        if self._taken is not None:
            self._taken.detach()
            self._taken = None
        if writer is None:
            return []
        if finish:
            return writer.wait()
        writer.stop()
        return []

    def _start_page_cache(self, env, config, files) -> None:
        """Every page's title is known and none is rendered: the build's key, and every
        page through the template that can stand in a kept page for the theme's."""
        if not (self.config.enabled and self.config.render_cache) or self._nav is None:
            return
        if not internals.page_cache_allowed(config):
            return
        self._page_templates = internals.use_cached_page_template(env, files)
        self._page_key = internals.build_key(config, files, self._nav, env)
        path = self._cache_dir(config)
        self.page_cache = PageCache(path, "theme-output")
        self.scanned = RenderCache(path / "scanned.json", scan_context(self.script_policy))

    def _insert_blocks(self, output: str, /, *, page, config) -> str:
        """The related list, once the second process has it, and the <head> additions
        (after sanitising, which rightly strips scripts)."""
        if not self.config.enabled or self.catalogue is None or page.file.src_uri in self._finished:
            return output
        src_uri = page.file.src_uri
        case = self.catalogue.case_study_at(src_uri)
        if case is not None and self.background is not None:
            found = self.background.related().get(case.slug, [])
            related = core(blocks.related_list, self.templates, self.catalogue, found, src_uri)
            related = self._sanitised(related)
            output = output.replace(self._related_slot, related, 1)
        # The site name as written: by now on_env has escaped config.site_name for the theme.
        site = (config.site_url or "", self._site_name)
        head = core(blocks.page_head, self.templates, self.catalogue, src_uri, *site)
        return output.replace("</head>", head + "</head>", 1)

    @event_priority(-100)  # last: the page exactly as it will be written
    def _guard(self, output: str, /, *, page, config) -> str:
        if page.file.src_uri in self._finished:
            return output  # guarded in the second renderer, exactly as it is here
        return self._guarded(output, page.url)

    def _guarded(self, output: str, url: str) -> str:
        """The page with its CSP, or the build stops: a page that would run a script not
        ours is never written, whatever the strictness."""
        output, problems = guard_page(output, url, self.script_policy, self.scanned)
        if problems:
            raise PluginError(
                f"{url or 'index'}: the finished page is unsafe ({'; '.join(problems)}); "
                "run `casebook check` to find the content that caused it"
            )
        return output

    @event_priority(110)  # first: the theme's output, before the related list goes in
    def _keep_page(self, output: str, /, *, page, config) -> str:
        pending = self._pages_to_store.pop(page.file.src_uri, None)
        # As with the Markdown: a page whose rendering warned is rendered (and warns) again.
        if pending is not None and pending[1] == self.counter.count and self.page_cache:
            self.page_cache.put(pending[0], output, self._related_slot)
        return output

    @event_priority(-200)  # after the guard: the page exactly as MkDocs would write it
    def _write_page(self, output: str, /, *, page, config) -> str:
        self._finished.discard(page.file.src_uri)
        if self.page_writer is None or not output.strip():
            return output
        # encoded as MkDocs encodes a page it writes (utils.write_file's caller)
        content = output.encode("utf-8", errors="xmlcharrefreplace")
        self.page_writer.write(page.file.dest_uri, content)
        self._taken.taken.add(page.file.src_uri)
        return ""  # MkDocs writes nothing for it

    on_post_page = CombinedEvent(_keep_page, _insert_blocks, _guard, _write_page)

    def on_post_template(self, output: str, /, *, template_name: str, config) -> str:
        if template_name.endswith(".html"):  # 404.html; sitemap.xml has no scripts
            return self._guarded(output, template_name)
        return output

    def _finish_writing(self) -> None:
        """Wait for the open-data files; a file that could not be written fails the build
        (a download missing from the site would otherwise go unnoticed)."""
        writer, self.file_writer = self.file_writer, None
        problems = writer.wait() if writer is not None else []
        if writer is not None and writer.written is not None:
            done = writer.written
            log.debug(f"data files: {done.linked} linked from the last build, {done.written} new")
        if problems:
            raise PluginError("the site's data files could not be written: " + "; ".join(problems))

    def _save_caches(self) -> None:
        """Each cache to its file, two at a time: the other two in a fork (after a build
        from nothing at N=1,000, 75 MB in all, 0.4 s of CPU here)."""
        caches = [self.page_cache, self.block_cache, self.render_cache, self.scanned]
        pages, kept, rendered = caches[:3]
        self.page_cache = self.block_cache = self.render_cache = self.scanned = None
        map_in_two(_save, [cache for cache in caches if cache is not None], worth=2)
        if rendered is not None:
            log.debug(f"render cache: {rendered.hits} pages reused, {rendered.misses} rendered")
        if pages is not None:
            log.debug(f"page cache: {pages.hits} pages reused, {pages.misses} rendered")
        if kept is not None:
            log.debug(f"block cache: {kept.hits} blocks reused, {kept.misses} made")

    def on_post_build(self, *, config) -> None:
        self._stop_second_renderer()
        problems = self._stop_page_writer()
        if problems:
            raise PluginError("the site's pages could not be written: " + "; ".join(problems))
        self._finish_writing()
        self._save_caches()
        if self.background is None:
            self._clear_previous_site()
            return
        background, self.background = self.background, None
        bundle, reason = background.bundle()
        self._clear_previous_site()  # the bundle and the data files no longer read it
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
        self._clear_previous_site()

    def on_shutdown(self) -> None:
        self._discard()
        self._clear_previous_site()
        if self.counter is not None:
            self.counter.detach()

    def _clear_previous_site(self) -> None:
        if self.previous_site is not None:
            previous, self.previous_site = self.previous_site, None
            previous.wait()

    def _discard(self) -> None:
        self._stop_second_renderer()
        self._stop_page_writer(finish=False)
        if self.file_writer is not None:  # a failed build: let it finish, report nothing
            self.file_writer.wait()
            self.file_writer = None
        if self.background is not None:
            self.background.cancel()
            self.background = None
