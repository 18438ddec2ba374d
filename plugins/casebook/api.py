"""The search API and static site as one WSGI application, for hosts with a server.

GET /api/search?text=&themes=&principles=&place=&programme=&focus=&kind=&limit= answers
the same JSON as `casebook search --json`; the parameter names are the catalogue's (the
front-matter fields, and `text`), and the older `q`, `theme`, `principle` still work.
Every other GET serves a file from the built site, never from outside it."""

from __future__ import annotations

import json
import mimetypes
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs, unquote

from .content.taxonomy import Taxonomy
from .search.filters import KINDS, SHORT_NAMES, filter_errors
from .search.whoosh_index import IndexMissing, SearchIndex

MAX_QUERY = 200
MAX_LIMIT = 50
DEFAULT_LIMIT = 10

StartResponse = Callable[[str, list[tuple[str, str]]], object]


class BadRequest(Exception):
    pass


class SearchApp:
    def __init__(self, site_dir: Path, index_dir: Path, taxonomies: dict[str, Taxonomy]):
        self.site_dir = Path(site_dir).resolve()
        self.index_dir = Path(index_dir)
        self.taxonomies = taxonomies
        self._index: SearchIndex | None = None

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
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
            return self._static(path, start_response, method == "HEAD")
        except Exception:  # the last line of defence: logged for the operator, never shown
            traceback.print_exc(file=sys.stderr)
            return self._json(
                start_response,
                "503 Service Unavailable",
                {"error": "search is unavailable; try again shortly"},
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
        except IndexMissing:
            return self._json(
                start_response,
                "503 Service Unavailable",
                {"error": "no search index yet: run `make build`"},
            )
        headers = [("X-Search-Total", str(results.total))]
        if results.corrected:
            headers.append(
                ("X-Search-Suggestion", results.corrected.encode().decode("latin-1", "replace"))
            )
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
        query = " ".join(params.get("text", []) + params.get("q", [])).strip()
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
            self._index = SearchIndex(self.index_dir)
        return self._index

    # -- static files ----------------------------------------------------------------------

    def _static(self, path: str, start_response: StartResponse, head: bool) -> Iterable[bytes]:
        relative = unquote(path).lstrip("/")
        if "\x00" in relative:
            return self._not_found(start_response)
        target = (self.site_dir / relative).resolve()
        if target != self.site_dir and self.site_dir not in target.parents:
            return self._not_found(start_response)
        if target.is_dir():
            if not path.endswith("/"):
                start_response("301 Moved Permanently", [("Location", path + "/")])
                return [b""]
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(start_response)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in (
            "application/json",
            "application/javascript",
        ):
            content_type += "; charset=utf-8"
        size = os.path.getsize(target)
        start_response(
            "200 OK",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(size)),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [b""] if head else [target.read_bytes()]

    def _not_found(self, start_response: StartResponse) -> Iterable[bytes]:
        page = self.site_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not found"
        start_response(
            "404 Not Found",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
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
