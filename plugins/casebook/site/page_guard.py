"""The last line of defence on every finished page: strings for the theme escaped once,
a Content-Security-Policy that runs only the site's own scripts, and a scan that fails
the build if a page holds an event handler, a `javascript:` URL or a script not ours.

MkDocs renders theme templates with autoescape off, and Material prints titles and
descriptions as they are; `casebook check` refuses markup in them, and this module makes
sure that what reaches a page anyway is text.

Over 250 lines because it holds the three defences every finished page passes through
(titles escaped for the theme, the page scan, the CSP), which share one script policy.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from .render_cache import RenderCache, digest


def theme_text(value: object) -> Markup:
    """A contributed string as HTML text and attribute value, escaped once: a Markup
    object, so Jinja's `|e` in the theme does not escape it a second time."""
    if isinstance(value, Markup):
        return value
    return escape(str(value))


def escape_page(page, keep: set[str] | None = None) -> None:
    """A page's title and description as the theme will print them. Material prints
    `page.meta.title` as it is but `page.title | striptags` (which unescapes) in <title>,
    so every page but the home page (whose <title> is the site name) gets its escaped
    title as `meta.title` too: the two then read the same everywhere.

    With `keep`, every other front-matter key is dropped first: Material acts on keys
    the check refuses (`template: sitemap.xml`, `icon:` includes a template, `subtitle`
    prints raw), and a build without --strict must not honour them either."""
    meta = page.meta
    for key in [key for key in meta if keep is not None and key not in keep]:
        del meta[key]
    if "title" in meta:
        meta["title"] = theme_text(meta["title"])
    title = page.title
    if title is not None:
        page.title = theme_text(title)
        if not page.is_homepage:
            meta["title"] = page.title
    if meta.get("description"):
        meta["description"] = theme_text(meta["description"])


def escape_nav(items) -> None:
    """Section and link titles (from mkdocs.yml); pages are done by escape_page."""
    for item in items:
        if getattr(item, "is_page", False):
            continue
        if getattr(item, "title", None) is not None:
            item.title = theme_text(item.title)
        escape_nav(getattr(item, "children", None) or ())


def escape_config(config) -> None:
    for key in ("site_name", "site_description"):
        if config.get(key):
            config[key] = theme_text(config[key])


def guard_page(
    output: str, page_url: str, policy: ScriptPolicy, scanned: RenderCache | None = None
) -> tuple[str, list[str]]:
    """(the page with its CSP <meta>, problems found by the scan). `scanned`: the hashes
    of pages scanned before (see scan_context); a page found safe with exactly this
    text at this address is not scanned again."""
    key = digest(page_url, output) if scanned is not None else ""
    record = scanned.get(key) if scanned is not None else None
    if isinstance(record, dict) and isinstance(record.get("hashes"), list):
        return with_policy(output, record["hashes"]), []
    problems, hashes = scan_page(output, page_url, policy)
    if scanned is not None and not problems:
        scanned.put(key, {"hashes": hashes})
    return with_policy(output, hashes), problems


def scan_context(policy: ScriptPolicy) -> str:
    """What a scan's answer depends on besides the page: the policy and the rules (this
    module's text), so a change to either scans every page again."""
    return digest(
        Path(__file__).read_text(encoding="utf-8"),
        json.dumps(
            [
                sorted(policy.script_files),
                list(policy.script_prefixes),
                [pattern.pattern for pattern in policy.inline],
                policy.site_url,
            ]
        ),
    )


# -- the scan ----------------------------------------------------------------------------

_SCRIPT_ANY_CASE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_START = re.compile(r"<script\b([^>]*)>")
_SCRIPT_END = re.compile(r"</script\s*>")


def _scripts(output: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, attributes, body) of every <script> element. str.find runs at C speed
    where a lazy regex over the bodies took most of the scan's time; a page that spells
    the tag another way (<SCRIPT>) gets the case-blind pattern instead."""
    if output.encode("utf-8", "surrogatepass").lower().count(b"<script") != output.count("<script"):
        for match in _SCRIPT_ANY_CASE.finditer(output):
            yield match.start(), match.end(), match.group(1), match.group(2)
        return
    position = output.find("<script")
    while position >= 0:
        start = _SCRIPT_START.match(output, position)
        if start is None:  # "<scripts" or the like: not a script element
            position = output.find("<script", position + 7)
            continue
        close = output.find("</script", start.end())
        end = _SCRIPT_END.match(output, close) if close >= 0 else None
        if end is None:  # unclosed: the rest of the page is its body, as a browser reads it
            yield position, len(output), start.group(1), output[start.end() :]
            return
        yield position, end.end(), start.group(1), output[start.end() : close]
        position = output.find("<script", end.end())


# Comments and the other elements whose content is not markup.
_RAW_TEXT = re.compile(
    r"<!--.*?-->|<(style|textarea|title)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
# On the lower-cased page: an attribute that could be an event handler (its start is
# checked in Python: a leading character class made the search 20 times slower).
_EVENT_LIKE = re.compile(rb"on[a-z]+[\x00-\x20]*=")
_ATTRIBUTE_START = frozenset(b" \t\n\r\f\"'/")
# Browsers drop tabs and newlines inside a URL: 'java\tscript:' runs. Each pattern starts
# with a literal, which Python's re finds quickly.
_SCHEME_END = re.compile(rb"t[\x00-\x20]*:")
_DATA_TEXT = re.compile(rb"data[\x00-\x20]*:[\x00-\x20]*text")
_SPACE = re.compile(rb"[\x00-\x20]+")
# Entities that could spell part of a script URL; '&amp;' and '&lt;' cannot.
_URL_ENTITY = re.compile(rb"&(?:#|colon;|tab;|newline;)", re.IGNORECASE)


def _suspect(markup: str) -> bool:
    """Could this page hold an event handler or a script URL? False for most pages. Works
    on lower-cased UTF-8 bytes: several times faster than str.lower() and str patterns."""
    lowered = markup.encode("utf-8", "surrogatepass").lower()
    if b"&" in lowered and _URL_ENTITY.search(lowered):
        lowered = html.unescape(markup).encode("utf-8", "surrogatepass").lower()
    for match in _SCHEME_END.finditer(lowered):
        before = _SPACE.sub(b"", lowered[max(0, match.start() - 40) : match.start() + 1])
        if before.endswith(b"script"):
            return True
    if _DATA_TEXT.search(lowered):
        return True
    return any(
        match.start() > 0 and lowered[match.start() - 1] in _ATTRIBUTE_START
        for match in _EVENT_LIKE.finditer(lowered)
    )


_TAG = re.compile(r"<([A-Za-z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20]+")
# <script> types that are data, never run (the theme's config, our JSON-LD).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# Material's inline scripts differ from page to page only in the relative base URL.
# ("/" and "/docs/" on the 404 page, which is served from any depth)
_BASE_URL = r"(?:\.|\.\.(?:/\.\.)*|/(?:[A-Za-z0-9._~-]+/)*)"


@dataclass
class ScriptPolicy:
    """Which scripts a page may hold: files by their path in the site, and inline scripts
    by their exact text (templates with the base URL left open)."""

    script_files: set[str] = field(default_factory=set)
    script_prefixes: tuple[str, ...] = ("assets/javascripts/",)
    inline: list[re.Pattern[str]] = field(default_factory=list)
    site_url: str = ""  # the 404 page links its scripts absolutely


def theme_inline_scripts(template_dirs: Iterable[str | Path]) -> list[re.Pattern[str]]:
    """The inline scripts the theme's templates write, as patterns: Material keeps them in
    partials/javascripts/*.html; a `{{ … }}` in one stands for the page's base URL."""
    patterns: dict[tuple[str, int], re.Pattern[str]] = {}
    for directory in template_dirs:
        for template in sorted(Path(directory).glob("partials/javascripts/*.html")):
            text = template.read_text(encoding="utf-8")
            for index, match in enumerate(re.finditer(r"<script>(.*?)</script>", text, re.S)):
                body = match.group(1)
                if "{%" in body:
                    continue
                parts = re.split(r"\{\{.*?\}\}", body)
                pattern = _BASE_URL.join(re.escape(part) for part in parts)
                # a custom_dir override (listed first) wins over the theme's own
                patterns.setdefault((template.name, index), re.compile(pattern))
    return list(patterns.values())


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _attributes(text: str) -> list[tuple[str, str | None]]:
    found = []
    for name, value in _ATTRIBUTE.findall(text):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        found.append((name.lower(), html.unescape(value) if value else None))
    return found


def _resolve(page_url: str, src: str, site_url: str = "") -> str:
    """A script's src as a path from the site root, or the src itself when absolute."""
    for prefix in (site_url, urlsplit(site_url).path if site_url else ""):
        if prefix and prefix != "/" and src.startswith(prefix):
            return src[len(prefix) :].lstrip("/")
    if src.startswith("/"):
        return src.lstrip("/")
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.IGNORECASE):
        return src
    base = posixpath.dirname("/" + page_url) if not page_url.endswith("/") else "/" + page_url
    return posixpath.normpath(posixpath.join(base, src.split("?")[0])).lstrip("/")


def scan_page(output: str, page_url: str, policy: ScriptPolicy) -> tuple[list[str], list[str]]:
    """(problems, hashes of the page's allowed inline scripts). A problem names what was
    found; the hashes go into the page's Content-Security-Policy."""
    problems: list[str] = []
    hashes: list[str] = []
    markup_parts: list[str] = []
    position = 0
    for start, end, attributes, body in _scripts(output):
        markup_parts.append(output[position:start])
        markup_parts.append(f"<script{attributes}>")  # its attributes are markup
        position = end
        found = _script_problem(attributes, body, page_url, policy)
        if isinstance(found, str):
            problems.append(found)
        elif found is not None:
            hashes.append(found[0])
    markup_parts.append(output[position:])
    markup = "".join(markup_parts)
    # Most pages hold no 'on…=' and nothing like a script URL anywhere: one pass over the
    # lower-cased page says so, and only the rest get every tag's attributes parsed.
    if _suspect(markup):
        problems.extend(_tag_problems(markup))
    return problems, sorted(set(hashes))


def _script_problem(
    attribute_text: str, body: str, page_url: str, policy: ScriptPolicy
) -> str | tuple[str] | None:
    """A problem, or (hash,) for an inline script of the theme, or None for a data block
    or an allowed file."""
    attributes = dict(_attributes(attribute_text))
    kind = (attributes.get("type") or "").strip().lower()
    if "src" in attributes:
        src = attributes["src"] or ""
        where = _resolve(page_url, src, policy.site_url)
        if where not in policy.script_files and not where.startswith(policy.script_prefixes):
            return f"a <script> loads {src!r}, which is not one of the site's"
        return None
    if kind in DATA_SCRIPT_TYPES:
        # ours escape every '<'; a raw one can open '<!--' or '</script'
        return f"a {kind} <script> holds a raw '<'" if "<" in body else None
    if any(pattern.fullmatch(body) for pattern in policy.inline):
        return (script_hash(body),)
    return f"an inline <script> that is not the theme's: {body[:60]!r}"


def _tag_problems(markup: str) -> list[str]:
    """Every tag's attributes, outside comments and raw-text elements."""
    problems = []
    for tag in _TAG.finditer(_RAW_TEXT.sub(" ", markup)):
        for name, value in _attributes(tag.group(2)):
            if name.startswith("on"):
                problems.append(f"<{tag.group(1)}> has an event-handler attribute '{name}'")
            elif value and _SCRIPT_URL.match(_URL_NOISE.sub("", value)):
                problems.append(f"<{tag.group(1)} {name}> holds a script URL {value[:40]!r}")
    return problems


# -- the policy ---------------------------------------------------------------------------


def content_security_policy(hashes: Iterable[str]) -> str:
    """Scripts from the site itself and the listed inline ones; nothing from elsewhere.
    Styles allow inline attributes (the theme sets them); images may be data: URLs (the
    theme's icons are). 'wasm-unsafe-eval' lets the site's search (Pagefind) compile its
    WebAssembly; it allows no JavaScript eval."""
    script = " ".join(["'self'", "'wasm-unsafe-eval'", *(f"'{value}'" for value in hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def with_policy(output: str, hashes: Iterable[str]) -> str:
    """The page with its CSP <meta> first in <head>, before any script it governs."""
    policy = content_security_policy(hashes)  # quotes are single: no escaping needed
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    head = re.search(r"<head\b[^>]*>", output, re.IGNORECASE)
    if head is None:
        return output
    charset = re.compile(r"\s*<meta charset=[^>]*>").match(output, head.end())
    at = charset.end() if charset else head.end()
    return output[:at] + "\n" + meta + output[at:]
