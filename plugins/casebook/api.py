"""The search API and static site as one WSGI application, for hosts with a server.

GET /api/search?text=&themes=&principles=&place=&programme=&focus=&kind=&limit= answers
the same JSON as `casebook search --json`; the parameter names are the catalogue's (the
front-matter fields, and `text`), and the older `q`, `theme`, `principle` still work.
Every other GET serves a file from the built site, never from outside it.

Every response carries `X-Content-Type-Options: nosniff` and a Content-Security-Policy
header: for an HTML page, the policy in its own `<meta http-equiv="Content-Security-Policy">`
(so the header and the page agree, and the header adds `frame-ancestors`, which a
`<meta>` cannot set); for anything else `DEFAULT_POLICY`, which allows no inline script.
A page without a policy of its own gets `DEFAULT_POLICY` with the hashes of its inline
scripts: the sanitiser removes every script from content, so those are the theme's
(Material needs them), and unlike 'unsafe-inline', hashes still refuse inline event
handlers and javascript: URLs. Static files are sent with an ETag (a hash of their bytes)
and `Cache-Control: no-cache`, so a browser revalidates and gets a 304 when nothing
changed. Each request reads one published generation of the site (see
site/directories.py): a file's length and bytes always come from the same file.

Over 250 lines because the server's protections (headers, ETags, one generation a
request, waitress' limits) and the search parameters' checks sit together, each small."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import mimetypes
import os
import re
import stat
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

from .content.taxonomy import Taxonomy
from .search.filters import KINDS, SHORT_NAMES, filter_errors
from .search.whoosh_index import IndexDamaged, IndexMissing, SearchIndex, one_line

MAX_QUERY = 200
MAX_LIMIT = 50
DEFAULT_LIMIT = 10

# For responses that are not pages with a policy of their own: nothing inline may run.
DEFAULT_POLICY = (
    # 'wasm-unsafe-eval': the search's worker compiles Pagefind's WebAssembly (no JS eval)
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
# Only the start of a page is searched for its policy: the <meta> belongs in <head>.
POLICY_SEARCH_BYTES = 16_384
_META = re.compile(rb"<meta\b[^<>]{0,2000}>", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    rb"""([a-zA-Z-]{1,40})\s*=\s*(?:"([^"]{0,4000})"|'([^']{0,4000})'|([^\s"'>]{1,4000}))"""
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# waitress' own defaults let 100 idle connections (connection_limit) shut every reader out
# for up to 150 s (channel_timeout 120 plus cleanup_interval 30). Idle connections cost a
# socket each, not a thread, so many may wait while the threads serve the rest; poll()
# has no 1,024-descriptor ceiling, as select() has.
SERVER_SETTINGS = {
    "connection_limit": 1000,
    "channel_timeout": 15,  # seconds a connection may sit idle (or trickle nothing)
    "cleanup_interval": 5,  # how often idle connections are looked for
    "asyncore_use_poll": True,
    "backlog": 1024,
}

StartResponse = Callable[[str, list[tuple[str, str]]], object]


_SCRIPT = re.compile(rb"<script\b([^<>]{0,2000})>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_DATA_TYPES = (b"application/json", b"application/ld+json", b"importmap", b"speculationrules")


def fallback_policy(page: bytes) -> str:
    """DEFAULT_POLICY allowing exactly the inline scripts this page holds, by hash."""
    hashes = []
    for attributes, code in _SCRIPT.findall(page):
        found = dict(
            (n.lower(), next((v for v in vs if v), b""))
            for n, *vs in _ATTRIBUTE.findall(attributes)
        )
        if b"src" in found or found.get(b"type", b"").lower() in _DATA_TYPES or not code:
            continue
        digest = base64.b64encode(hashlib.sha256(code).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    if not hashes:
        return DEFAULT_POLICY
    return DEFAULT_POLICY.replace(
        "script-src 'self'", "script-src 'self' " + " ".join(dict.fromkeys(hashes)), 1
    )


def page_policy(page: bytes) -> str | None:
    """The Content-Security-Policy a page declares in a <meta> in its <head>, or None."""
    head = page[:POLICY_SEARCH_BYTES].split(b"</head>", 1)[0]
    for tag in _META.finditer(head):
        attributes = {
            name.lower(): next((v for v in values if v), b"")
            for name, *values in _ATTRIBUTE.findall(tag.group(0))
        }
        if attributes.get(b"http-equiv", b"").lower() == b"content-security-policy":
            policy = html.unescape(attributes.get(b"content", b"").decode("utf-8", "replace"))
            policy = " ".join(_CONTROL.sub(" ", policy).split())
            if not policy:
                return None
            if "frame-ancestors" not in policy:
                policy = policy.rstrip("; ") + "; frame-ancestors 'self'"
            return policy
    return None


def header_safe(value: str) -> str:
    """A value that can go in a header: one line of Latin-1 (waitress refuses others)."""
    value = one_line(value)
    return value.encode("latin-1", "replace").decode("latin-1")


class BadRequest(Exception):
    pass


class SearchApp:
    def __init__(self, site_dir: Path, index_dir: Path, taxonomies: dict[str, Taxonomy]):
        # Not resolved here: the live path is a link that each build points elsewhere.
        self.site_dir = Path(os.path.abspath(site_dir))
        self.index_dir = Path(index_dir)
        self.taxonomies = taxonomies
        self._index: SearchIndex | None = None
        self._damaged: tuple[int, IndexDamaged] | None = None

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        head = environ.get("REQUEST_METHOD", "GET") == "HEAD"

        def respond(status: str, headers: list[tuple[str, str]]):
            names = {name.lower() for name, _ in headers}
            if "content-security-policy" not in names:
                headers.append(("Content-Security-Policy", DEFAULT_POLICY))
            headers.append(("X-Content-Type-Options", "nosniff"))
            return start_response(status, headers)

        body = self._route(environ, respond)
        return [] if head else body  # HEAD: the same headers, never a body

    def _route(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            method = environ.get("REQUEST_METHOD", "GET")
            path = environ.get("PATH_INFO", "/") or "/"
            if method not in ("GET", "HEAD"):
                return self._json(
                    start_response,
                    "405 Method Not Allowed",
                    {"error": "only GET is allowed"},
                    [("Allow", "GET, HEAD")],
                )
            if path.rstrip("/") == "/api/search":
                return self._search(environ, start_response)
            return self._static(path, environ, start_response)
        except Exception:  # the last line of defence: logged for the operator, never shown
            traceback.print_exc(file=sys.stderr)
            return self._json(
                start_response,
                "500 Internal Server Error",
                {"error": "something went wrong on the server; it has been logged"},
            )

    # -- search ------------------------------------------------------------------------

    def _search(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            params = parse_qs(
                environ.get("QUERY_STRING", ""),
                keep_blank_values=True,
                max_num_fields=64,
                strict_parsing=False,
            )
            query, filters, kind, limit = self._parameters(params)
            index = self._search_index()
            errors = filter_errors(filters, index.facets, self.taxonomies, index.values_in_use())
            if errors:
                raise BadRequest("; ".join(errors))
            results = index.search(query, filters, kind, limit)
        except BadRequest as error:
            return self._json(start_response, "400 Bad Request", {"error": str(error)})
        except ValueError as error:  # parse_qs: too many fields or malformed
            return self._json(start_response, "400 Bad Request", {"error": str(error)})
        except IndexDamaged as error:
            print(f"casebook serve: {error}; run `make build` to rebuild it", file=sys.stderr)
            return self._json(
                start_response,
                "503 Service Unavailable",
                {"error": "the search index is damaged; it is rebuilt by the next build"},
            )
        except IndexMissing:
            return self._json(
                start_response,
                "503 Service Unavailable",
                {"error": "no search index yet: run `make build`"},
            )
        headers = [("X-Search-Total", str(results.total))]
        if results.corrected:
            headers.append(("X-Search-Suggestion", header_safe(results.corrected)))
        return self._json(
            start_response, "200 OK", [hit.as_json() for hit in results.hits], headers
        )

    def _parameters(self, params: dict[str, list[str]]):
        # The catalogue's names (front-matter fields) first; taxonomy names and the older
        # short names are aliases.
        fields = {taxonomy.field: name for name, taxonomy in self.taxonomies.items()}
        names = {**{name: name for name in self.taxonomies}, **SHORT_NAMES, **fields}
        allowed = {"text", "q", "kind", "limit", *names}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise BadRequest(
                f"unknown parameter '{unknown[0]}'; use text, kind, limit, " + ", ".join(fields)
            )
        # a line break is a space
        query = one_line(" ".join(params.get("text", []) + params.get("q", [])))
        if not query:
            raise BadRequest("text (or q) is required: the words to search for")
        if len(query) > MAX_QUERY:
            raise BadRequest(f"q is {len(query)} characters; at most {MAX_QUERY}")
        kind = (params.get("kind") or [""])[-1] or None
        if kind is not None and kind not in KINDS:
            raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
        raw_limit = (params.get("limit") or [str(DEFAULT_LIMIT)])[-1]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        filters: dict[str, list[str]] = {}
        for name, values in params.items():
            if name in ("text", "q", "kind", "limit"):
                continue
            taxonomy = names[name]
            cleaned = [value for value in values if value]
            if cleaned:
                filters.setdefault(taxonomy, []).extend(cleaned)
        return query, filters, kind, int(raw_limit)

    def _search_index(self) -> SearchIndex:
        if self._index is None:
            try:
                identity = os.stat(self.index_dir).st_ino
            except OSError:
                raise IndexMissing(str(self.index_dir)) from None
            if self._damaged is not None and self._damaged[0] == identity:
                raise self._damaged[1]  # checked once per generation, not per request
            try:
                self._index = SearchIndex(self.index_dir)
            except IndexDamaged as error:
                self._damaged = (identity, error)
                raise
        return self._index

    # -- static files ----------------------------------------------------------------------

    def _site_root(self) -> str:
        """The site's published generation now; one request reads from it alone."""
        return os.path.realpath(self.site_dir)

    def _static(self, path: str, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        root = self._site_root()
        relative = unquote(path).lstrip("/")
        if "\x00" in relative:
            return self._not_found(root, start_response)
        target = os.path.realpath(os.path.join(root, relative))
        if target != root and not target.startswith(root + os.sep):
            return self._not_found(root, start_response)
        if os.path.isdir(target):
            if not path.endswith("/"):
                location = quote("/" + relative.strip("/") + "/")
                start_response(
                    "301 Moved Permanently", [("Location", location), ("Content-Length", "0")]
                )
                return [b""]
            target = os.path.join(target, "index.html")
        try:
            stream = open(target, "rb")  # noqa: SIM115 -- closed below, after one fstat
        except OSError:
            return self._not_found(root, start_response)
        with stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                return self._not_found(root, start_response)
            # Length, ETag and bytes all from this one open file, whatever is swapped in.
            body = stream.read()
        content_type = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in (
            "application/json",
            "application/javascript",
        ):
            content_type += "; charset=utf-8"
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = [("ETag", etag), ("Cache-Control", "no-cache")]
        if content_type.startswith("text/html"):
            policy = page_policy(body) or fallback_policy(body)
            headers.append(("Content-Security-Policy", policy))
        if _matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 Not Modified", headers)
            return [b""]
        start_response(
            "200 OK",
            [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
        )
        return [body]

    def _not_found(self, root: str, start_response: StartResponse) -> Iterable[bytes]:
        try:
            with open(os.path.join(root, "404.html"), "rb") as page:
                body = page.read()
        except OSError:
            body = b"Not found"
        start_response(
            "404 Not Found",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Content-Security-Policy", page_policy(body) or fallback_policy(body)),
            ],
        )
        return [body]

    @staticmethod
    def _json(
        start_response: StartResponse,
        status: str,
        payload,
        headers: list[tuple[str, str]] | None = None,
    ) -> Iterable[bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        start_response(
            status,
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                *(headers or []),
            ],
        )
        return [body]


def _matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match holds this ETag (weak comparison, as RFC 9110 asks for GET)."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
