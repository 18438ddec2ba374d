"""Everything casebook does with MkDocs' internals, in one place: a Page's rendering
attributes (for the render cache), its table of contents, the engine's logger, what the
theme's rendering of a page depends on (for the page cache), and a page's front matter
as casebook already parsed it.

These are not MkDocs' plugin API: they are the attributes `Page.render` sets, the toc
classes and the rules by which `Page.read_source` splits front matter, the steps of `_build_page`
that render a page through the theme, as in the versions
named in CHECKED_WITH (tests/test_mkdocs_internals.py fails when the installed versions
differ, so a new release gets looked at before it ships).
ProperDocs, MkDocs' continuation, aliases the `mkdocs` modules to its own, so the same
code runs on both.

Over 250 lines because the page cache's keys must name everything the theme reads of
MkDocs' objects (config, nav, pages, context), and what `get_data` would make of a page
must be known exactly to hand it casebook's parse; that knowledge belongs here with the
rest of what is not plugin API, not in the plugin or the core.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import markdown
import mkdocs
from jinja2 import ChoiceLoader, DictLoader
from mkdocs.commands.build import get_context
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.toc import AnchorLink, get_toc
from mkdocs.utils.meta import META_RE, YAML_RE

from .site.render_cache import digest
from .site.templating import Heading

CHECKED_WITH = {"mkdocs": "1.6.1", "properdocs": "1.6.7", "mkdocs-material": "9.8.2"}


def engine_logger() -> logging.Logger:
    """The logger every message of the build reaches: "mkdocs", or "properdocs" when
    ProperDocs runs the build (its plugin loggers do not pass through "mkdocs")."""
    return logging.getLogger(BasePlugin.__module__.partition(".")[0])


class WarningCounter(logging.Handler):
    """Counts the build's warnings (on the engine's logger), so a strict build that will
    abort neither publishes its search index nor keeps renderings that warned."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def attach(self) -> WarningCounter:
        engine_logger().addHandler(self)
        return self

    def detach(self) -> None:
        engine_logger().removeHandler(self)


class TakenPages(logging.Filter):
    """The pages casebook writes itself (site/page_writer.py): it hands MkDocs an empty
    output for them, which MkDocs does not write, saying "Page skipped: '<src_uri>'.
    Generated empty output." That line is left out for those pages only."""

    PREFIX, SUFFIX = "Page skipped: '", "'. Generated empty output."

    def __init__(self) -> None:
        super().__init__()
        self.taken: set[str] = set()
        self._logger = logging.getLogger(f"{engine_logger().name}.commands.build")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(self.PREFIX) and message.endswith(self.SUFFIX):
            return message[len(self.PREFIX) : -len(self.SUFFIX)] not in self.taken
        return True

    def attach(self) -> TakenPages:
        self._logger.addFilter(self)
        return self

    def detach(self) -> None:
        self._logger.removeFilter(self)


def heading_ids(items) -> set[str]:
    """Every heading id in a page's table of contents."""
    ids: set[str] = set()
    for item in items:
        ids.add(item.id)
        ids |= heading_ids(item.children)
    return ids


def add_to_toc(page, headings: tuple[Heading, ...]) -> None:
    """Headings the plugin placed around the rendered Markdown, added to the table of
    contents under the last heading of a higher level, as the toc extension nests them,
    and to the anchors MkDocs checks links against."""
    for heading in headings:
        siblings = page.toc.items
        while siblings and siblings[-1].level < heading.level:
            siblings = siblings[-1].children
        siblings.append(AnchorLink(heading.title, heading.id, heading.level))
        anchors = getattr(page, "present_anchor_ids", None)
        if isinstance(anchors, set):
            anchors.add(heading.id)


def _toc_tokens(items) -> list[dict]:
    return [
        {"level": i.level, "id": i.id, "name": i.title, "children": _toc_tokens(i.children)}
        for i in items
    ]


def rendering_of(page, html: str) -> dict:
    """What `Page.render` set, as JSON-safe data the render cache can keep."""
    return {
        "html": html,
        "toc": _toc_tokens(page.toc),
        "title": getattr(page, "_title_from_render", None),
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": {target.src_uri: links for target, links in (page.links_to_anchors or {}).items()},
    }


def reuse_rendering(page, record: dict) -> None:
    """Make `page.render` set what it set last time instead of rendering the Markdown."""

    def render(config, files: Files) -> None:
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

    page.render = render


# -- a page's front matter, as casebook parsed it (issue 13) ------------------------------


def read_source(source: str, front_matter: str, meta: dict) -> tuple[str, dict] | None:
    """What `Page.read_source` would set (`page.markdown`, `page.meta`) for a page whose
    text is `source`, without parsing its YAML again: `meta` is casebook's parse of
    `front_matter` (the text after the opening `---`, content/load.py). The Markdown is
    for `on_page_read_source` to return, and `get_data` hands it on unchanged with empty
    meta; the meta is a copy of `meta`, for the page to own. None wherever the two could
    differ, and MkDocs reads and parses the page itself."""
    found = YAML_RE.match(source)
    # get_data parses the text between the fences; casebook parsed it after the rest of
    # the opening line, here exactly "\n" (a blank line before YAML changes nothing). A
    # BOM is left to MkDocs: only at the very start does YAML skip it.
    if found is None or "\n" + found.group(1) != front_matter or "\ufeff" in front_matter:
        return None
    markdown = source[found.end() :].lstrip("\n")
    # Returned, it goes through get_data again: no YAML block there, and a first line
    # that is neither blank nor MultiMarkdown's `key: value` (either would be taken as
    # meta); no carriage return (it would become a newline).
    first_line = markdown.partition("\n")[0]
    if YAML_RE.match(markdown) or META_RE.match(first_line) or not first_line.strip():
        return None
    if "\r" in markdown:
        return None
    try:
        return markdown, _own_copy(meta)
    except TypeError:
        return None


def reads_page_sources_alone(config) -> bool:
    """True when casebook's is the only `on_page_read_source` (plugins and hooks): of
    several, MkDocs takes the last source given (and warns), so beside another one
    casebook leaves every page's source to it."""
    return len(config.plugins.events["page_read_source"]) == 1


def _own_copy(value, depth: int = 0):
    """A copy sharing nothing mutable with `value` (plugins and the theme change a page's
    meta, and casebook's model must not see it). TypeError for a value of any other type
    YAML's safe loader makes (a set, an ordered map, bytes), and past 32 levels."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool, dt.date, dt.datetime):
        return value
    if depth == 32:
        raise TypeError("nested too deeply")
    if kind is dict:
        return {key: _own_copy(item, depth + 1) for key, item in value.items()}
    if kind is list:
        return [_own_copy(item, depth + 1) for item in value]
    raise TypeError(f"{kind.__name__} is not copied")


def only_material_search_reads_content(config) -> bool:
    """True when the only plugin besides casebook is Material's search, whose
    `on_page_context` does two things with a page: indexes it unless its meta says
    `search: {exclude: true}`, and removes `data-search-*` attributes from its content.
    Then a page that is excluded and has no such attribute can hide its content from it
    (a regular expression over every page's HTML, 0.35 s at 1,000 case studies).
    MkDocs' own search plugin indexes every page whatever its meta: not this one."""
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:
        return False
    return all(
        name == "casebook" or type(plugin) is SearchPlugin
        for name, plugin in config.plugins.items()
    )


def render_context(config, files: Files) -> str:
    """Everything besides a page's own Markdown that its rendering depends on."""
    return digest(
        f"{engine_logger().name} {mkdocs.__version__}",
        markdown.__version__,
        json.dumps(config.markdown_extensions),
        json.dumps(config.mdx_configs, sort_keys=True, default=repr),
        repr(config["validation"]),
        str(config.use_directory_urls),
        "\n".join(sorted(f"{f.src_uri} {f.dest_uri}" for f in files)),
    )


# -- the theme's output, kept between builds (site/page_cache.py) -----------------------

# The plugins whose effect on a page's context is known: any other (or a hook file) might
# add to it what no key below covers, so the page cache stays off.
KNOWN_PLUGINS = frozenset({"search", "material/search", "casebook"})
# The template every page is rendered through: the theme's own (included whole), or the
# page the cache kept under the same key.
CACHED_PAGE_TEMPLATE = "casebook-cached-page.html"
CACHED_PAGE_SOURCE = (
    "{%- if casebook_cached_page is defined -%}{{ casebook_cached_page | safe }}"
    "{%- else -%}{% include casebook_page_template %}{%- endif -%}"
)
# What `get_context` puts in every page's context; the build key covers the global ones
# and the page key what follows from the page (its URL, so base_url and the asset URLs).
_STANDARD_CONTEXT = frozenset(
    {
        "nav",
        "pages",
        "base_url",
        "extra_css",
        "extra_javascript",
        "mkdocs_version",
        "build_date_utc",
        "config",
        "page",
    }
)


def page_cache_allowed(config) -> bool:
    return set(config.plugins) <= KNOWN_PLUGINS


def render_theme_page(page, config, doc_files, nav, env) -> str:
    """The theme's output for `page` as `_build_page` makes it (MkDocs 1.6: the page
    active, its context, the page_context event, the template), before post_page: the
    step the page cache keeps. For the second renderer (site/second_renderer.py), which
    renders pages in a fork of the build. Only pages the page cache serves come here, and
    a draft previewed by `mkdocs serve` is not one (use_cached_page_template), since
    MkDocs marks its content after the page_context event."""
    config._current_page = page
    page.active = True
    try:
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        return template.render(context)
    finally:
        page.active = False
        config._current_page = None


def use_cached_page_template(env, files: Files) -> dict[str, str]:
    """Render every page through CACHED_PAGE_TEMPLATE; the template each page would have
    used, by src_uri."""
    env.loader = ChoiceLoader([DictLoader({CACHED_PAGE_TEMPLATE: CACHED_PAGE_SOURCE}), env.loader])
    templates = {}
    for file in files.documentation_pages():
        if file.page is not None:
            templates[file.src_uri] = file.page.meta.get("template", "main.html")
            file.page.meta["template"] = CACHED_PAGE_TEMPLATE
    return templates


def _nav_items(items) -> list:
    """The nav as the theme prints it on every page: each entry's kind, title, address
    and, for a page, its front matter (Material shows a nav page's icon, subtitle and
    status beside it)."""
    return [
        [
            type(i).__name__,
            str(i.title),
            getattr(i, "url", None),
            {k: v for k, v in (getattr(i, "meta", None) or {}).items() if k != "template"},
            _nav_items(i.children or []),
        ]
        for i in items
    ]


def _theme_files(dirs: list[str], custom_dir: str | None) -> str:
    """The theme's files by content, except an installed theme's icons (thousands of SVG
    files, each included by name: at N=1,000 on a busy machine a stat of each took 3 s),
    which count by name; the theme's version stands for their contents."""
    hasher = hashlib.sha256()
    for number, directory in enumerate(dirs):
        for root, folders, names in os.walk(directory):
            folders.sort()
            where = os.path.relpath(root, directory)
            hasher.update(f"{number} {where}\0{chr(0).join(sorted(names))}\0".encode())
            if ".icons" in Path(where).parts and directory != custom_dir:
                continue
            for name in sorted(names):
                hasher.update(hashlib.sha256(Path(root, name).read_bytes()).digest())
    return hasher.hexdigest()


def _plain(value) -> object:
    """A setting as JSON can hold it, the same in every process (sets are in hash order)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return ""


def build_key(config, files: Files, nav, env) -> str:
    """Everything besides the page itself that the theme's rendering of a page depends on:
    versions, configuration, the nav, every page's title and address, the theme's files
    and the template globals."""
    settings = {name: value for name, value in config.items() if name != "plugins"}
    theme = config.theme
    settings["theme"] = [theme.name, theme.dirs, sorted(theme.static_templates), dict(theme)]
    plugins = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
    pages = [
        [f.src_uri, f.url, str(f.page.title) if f.page else None]
        for f in files.documentation_pages()
    ]
    plain = (str, int, float, bool, type(None))
    globals_ = {k: v for k, v in env.globals.items() if isinstance(v, plain)}
    return digest(
        f"{engine_logger().name} {mkdocs.__version__}",
        _version("mkdocs-material"),
        _version("jinja2"),
        json.dumps(settings, default=_plain, sort_keys=True),
        json.dumps(plugins, default=_plain, sort_keys=True),
        json.dumps(_nav_items(nav.items), default=_plain, sort_keys=True),
        json.dumps(pages),
        json.dumps(globals_, sort_keys=True),
        _theme_files(config.theme.dirs, config.theme.custom_dir),
    )


def page_key(build: str, page, context: dict, template: str, slot: str) -> str:
    """The build key and everything of the page the theme prints. `slot` (random per
    build, where the related list goes) is left out. The build's date counts, not its
    time: the footer says the day it was built."""
    meta = {name: value for name, value in page.meta.items() if name != "template"}
    extras = {name: value for name, value in context.items() if name not in _STANDARD_CONTEXT}
    neighbours = [
        [other.url, str(other.title)] if other is not None else None
        for other in (page.previous_page, page.next_page)
    ]
    return digest(
        build,
        template,
        page.file.src_uri,
        page.url,
        str(page.title),
        (page.content or "").replace(slot, ""),
        json.dumps(_toc_tokens(page.toc)),
        json.dumps(meta, default=_plain, sort_keys=True),
        str(page.canonical_url),
        str(page.edit_url),
        str(page.is_homepage),
        json.dumps(neighbours),
        json.dumps([str(ancestor.title) for ancestor in page.ancestors]),
        json.dumps(extras, default=_plain, sort_keys=True),
        context["build_date_utc"].date().isoformat(),
    )
