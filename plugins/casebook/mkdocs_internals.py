"""Everything casebook does with MkDocs' internals, in one place: a Page's rendering
attributes (for the render cache), its table of contents, and the engine's logger.

These are not MkDocs' plugin API: they are the attributes `Page.render` sets and the toc
classes, as in the versions named in CHECKED_WITH (tests/test_mkdocs_internals.py fails
when the installed versions differ, so a new release gets looked at before it ships).
ProperDocs, MkDocs' continuation, aliases the `mkdocs` modules to its own, so the same
code runs on both.
"""

from __future__ import annotations

import json
import logging

import markdown
import mkdocs
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.toc import AnchorLink, get_toc

from .site.render_cache import digest
from .site.templating import Heading

CHECKED_WITH = {"mkdocs": "1.6.1", "properdocs": "1.6.7"}


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
