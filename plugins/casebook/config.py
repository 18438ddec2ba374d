"""Typed options of the casebook MkDocs plugin, declared in one place."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class CasebookConfig(Config):
    enabled = c.Type(bool, default=True)
    # How many related case studies to show under each case study.
    related_limit = c.Type(int, default=5)
    # Where the Whoosh index is written, relative to the directory holding mkdocs.yml.
    search_index_dir = c.Type(str, default="build/search_index")
    # Build the Whoosh index at all (benchmarks compare with it off).
    search_index = c.Type(bool, default=True)
    # Build the static (Pagefind) search bundle into the site at /pagefind/: the search a
    # reader of the published site uses.
    static_search = c.Type(bool, default=True)
    # Rendered pages kept between builds (relative to mkdocs.yml's directory), so a rebuild
    # renders only the Markdown that changed; and each file's check, so it reads and
    # checks only the files that changed.
    cache_dir = c.Type(str, default="build/cache")
    render_cache = c.Type(bool, default=True)
    # Hand MkDocs each page's front matter as casebook parsed it, instead of MkDocs
    # parsing every page's YAML a second time (off: MkDocs parses it, as before).
    reuse_front_matter = c.Type(bool, default=True)
