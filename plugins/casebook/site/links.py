"""Addresses between pages, and heading ids, for generated pages."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..content.model import page_url


def page_url_from(from_uri: str, to_uri: str) -> str:
    """The URL of `to_uri`'s page relative to `from_uri`'s page (directory URLs).

    The same answer as posixpath.relpath on the two page URLs, which was the largest
    single cost of the panels and lists (25,000 calls at 1,000 case studies)."""
    here, there = _url_parts(from_uri), _url_parts(to_uri)
    common = 0
    for mine, theirs in zip(here, there, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(here) - common) + list(there[common:])
    return "/".join(parts) + "/" if parts else "./"


def absolute_url(site_url: str, path: str) -> str:
    """`path` (from the site root) at the site's address, or from the root when unset."""
    return (site_url.rstrip("/") + "/" if site_url else "/") + path


@lru_cache(maxsize=65536)
def _url_parts(src_uri: str) -> tuple[str, ...]:
    return tuple(part for part in page_url(src_uri).split("/") if part)


def root_file_url(from_uri: str, path: str) -> str:
    """A file at the site root (`feed.xml`), relative to a page (directory URLs)."""
    return "../" * page_url(from_uri).count("/") + path


class Anchors:
    """Heading ids as Python-Markdown's toc extension makes them: the text slugified, with
    `_1`, `_2` ... when the page already has the id (a contributor's own "## Source")."""

    def __init__(self, taken: frozenset[str] | set[str] = frozenset()) -> None:
        self.taken = set(taken)

    def __call__(self, text: str) -> str:
        base = heading_slug(text)
        unique, number = base, 0
        while unique in self.taken:
            number += 1
            unique = f"{base}_{number}"
        self.taken.add(unique)
        return unique


def heading_slug(text: str) -> str:
    """A heading id as markdown.extensions.toc.slugify makes it (not a term slug:
    underscores stay, "&" goes), without importing Markdown."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)
