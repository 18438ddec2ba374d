"""The static search index: a Pagefind bundle built from the same search documents as the
Whoosh index, so a reader's search works from static files (GitHub Pages, `make serve`).

Each document goes to Pagefind as a small HTML record whose parts carry the Whoosh field
weights (data-pagefind-weight), whose facets are Pagefind filters and whose kind is
metadata. Pagefind chunks the index, so a query fetches only the few files it needs. The
bundle is written beside the live site and swapped in whole (see StagedBundle)."""

from __future__ import annotations

import base64
import html
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ..site.search_page import SEARCH_FACETS
from .vocabulary import VOCABULARY_FILE, vocabulary_json
from .whoosh_index import LIST_SEPARATOR, TEXT_FIELDS, SearchDocument

BUNDLE_DIR = "pagefind"  # the bundle's folder in the site
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# Pagefind weighs a word by the weight of its element; an h1 counts 7 by default, so the
# record uses plain elements and states every weight (the Whoosh boosts, scaled so the
# body keeps Pagefind's usual 1).
_WEIGHTS = {name: f"{weight:g}" for name, weight in TEXT_FIELDS.items()}


def record_html(document: SearchDocument) -> str:
    """One document as the HTML Pagefind reads: every text escaped, facets as filters."""
    e = html.escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(document.title)}</title></head><body>",
        f'<div data-pagefind-body data-pagefind-meta="kind:{e(document.kind)}">',
        f'<p data-pagefind-meta="title" data-pagefind-weight="{_WEIGHTS["title"]}">'
        f"{e(document.title)}</p>",
    ]
    for name in ("summary", "headings", "labels"):
        # Headings and labels are LIST_SEPARATOR-separated for Whoosh; a reader sees them in
        # Pagefind's excerpts, where a list reads better with semicolons.
        text = getattr(document, name)
        if name != "summary":
            text = "; ".join(part for part in text.split(LIST_SEPARATOR) if part)
        if text:
            parts.append(f'<p data-pagefind-weight="{_WEIGHTS[name]}">{e(text)}</p>')
    if document.body:
        parts.append(f"<p>{e(document.body)}</p>")
    parts.append(f'<span data-pagefind-filter="kind:{e(document.kind)}"></span>')
    if document.kind == "case_study":
        # The catalogue needs every matching case study, not the top few: the counts of
        # this filter name them all without fetching each result's fragment.
        parts.append(f'<span data-pagefind-filter="case:{e(document.slug)}"></span>')
    # Only the facets the search page filters by: Pagefind loads every filter's values
    # with a filtered query, and partners alone would outweigh the rest.
    for facet in SEARCH_FACETS:
        for value in document.facets.get(facet, ()):
            parts.append(f'<span data-pagefind-filter="{e(facet)}:{e(value)}"></span>')
    parts.append("</div></body></html>")
    return "".join(parts)


class StaticIndexError(Exception):
    """Pagefind could not build the bundle (the message says why)."""


def pagefind_executable() -> Path:
    """The Pagefind binary that the pagefind-bin wheel ships (nothing is downloaded), or
    the one PAGEFIND_BINARY_PATH names, as Pagefind's own Python client allows."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    try:
        from pagefind_bin import get_executable
    except ImportError as error:
        raise StaticIndexError(
            "the pagefind-bin package is missing: run `make setup` to install it"
        ) from error
    return Path(get_executable())


def write_bundle(
    documents: list[SearchDocument], output: Path, vocabulary: dict[str, int] | None
) -> None:
    """Build the Pagefind bundle into `output` (created afresh), with the vocabulary
    for "did you mean" beside it (None: the caller adds it).

    The records go to Pagefind's binary in its service mode, over a pipe: writing them
    as files for `pagefind --site` cost 1.1-1.4 s of CPU at N=1,000 (escaping aside:
    3,800 file and folder creations, then their removal), about 0.3 s this way, and the
    bundle is the same. Its Python client was tried first: it waits for one reply per
    record, polling every 0.1 s, so 100 records took 14 s; here every record is sent
    at once and the replies are read as they come. The bundle's files come back in a
    reply and are written here: the service's own WriteFiles answers before its writes
    reach the disk, and a service that then exits left empty files (2 bundles in 30)."""
    output = Path(output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        files = _run_service(documents)
        if "pagefind-entry.json" not in files:
            raise StaticIndexError("Pagefind could not build the search bundle: no output")
        for unused in UNUSED_FILES:  # Pagefind's own UIs: the site draws its results itself
            files.pop(unused, None)
        _write_files(output, files)
        if vocabulary is not None:
            (output / VOCABULARY_FILE).write_text(vocabulary_json(vocabulary), encoding="utf-8")
    except BaseException:
        shutil.rmtree(output, ignore_errors=True)
        raise


def _message(number: int, payload: dict) -> bytes:
    """One request as the service reads it: base64 of its JSON, then a comma."""
    text = json.dumps({"message_id": number, "payload": payload})
    return base64.b64encode(text.encode("utf-8")) + b","


def _replies(stream, into: queue.Queue) -> None:
    """Each reply the service writes (base64 JSON, comma-ended), then None at its end.
    A reply can be megabytes (the bundle's files): its pieces are joined once."""
    pending: list[bytes] = []
    try:
        for chunk in iter(lambda: stream.read1(1 << 20), b""):
            start = 0
            while (comma := chunk.find(b",", start)) >= 0:
                pending.append(chunk[start:comma])
                into.put(json.loads(base64.b64decode(b"".join(pending))))
                pending, start = [], comma + 1
            pending.append(chunk[start:])
    except ValueError:
        pass  # not the service's protocol: reported as a failure below
    finally:
        into.put(None)


def _run_service(documents: list[SearchDocument]) -> dict[str, bytes]:
    """Index the documents in one run of `pagefind --service`; its bundle's files by
    path. StaticIndexError, with Pagefind's own words where it has any, otherwise."""
    command = [str(pagefind_executable()), "--service"]
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors
            )
        except OSError as error:
            raise StaticIndexError(
                f"Pagefind could not build the search bundle: {error.strerror or error}"
            ) from None
        failure, files = None, {}
        with process:
            replies: queue.Queue = queue.Queue()
            reader = threading.Thread(target=_replies, args=(process.stdout, replies))
            reader.start()
            try:
                files = _index(process, replies, documents)
            except StaticIndexError as error:
                failure = error
                process.kill()
            finally:
                _close(process.stdin)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                reader.join()
        if failure is not None:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()[-1:]
            raise StaticIndexError(
                f"Pagefind could not build the search bundle: {said[0] if said else failure}"
            )
    return files


def _index(process, replies, documents: list[SearchDocument]) -> dict[str, bytes]:
    index = _ask(process, replies, 0, {"type": "NewIndex", "config": _CONFIG}).get("index_id")
    if not isinstance(index, int):
        raise StaticIndexError("an answer it could not read")
    requests = [
        _message(
            number,
            {
                "type": "AddFile",
                "index_id": index,
                "url": "/" + document.url,
                "file_contents": record_html(document),
            },
        )
        for number, document in enumerate(documents, 1)
    ]
    answer = _ask(
        process, replies, len(documents) + 1, {"type": "GetFiles", "index_id": index}, requests
    )
    try:
        return {entry["path"]: base64.b64decode(entry["content"]) for entry in answer["files"]}
    except (KeyError, TypeError, ValueError):
        raise StaticIndexError("an answer it could not read") from None


def _write_files(output: Path, files: dict[str, bytes]) -> None:
    """The bundle's files under `output`; a path that would leave it is refused."""
    made: set[Path] = set()
    for name, content in files.items():
        path = (output / name).resolve()
        if not path.is_relative_to(output) or path == output:
            raise StaticIndexError(
                f"Pagefind could not build the search bundle: a file outside it ({name})"
            )
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(content)


def _close(stream) -> None:
    try:
        stream.close()
    except OSError:  # a broken pipe: Pagefind has already gone
        pass


# Pagefind's defaults otherwise; English for every record (they are written in English).
_CONFIG = {"force_language": "en"}


def _ask(process, replies: queue.Queue, number: int, payload: dict, before=()) -> dict:
    """Send `before`, then request `number`; its reply's payload, once every earlier
    reply has come (any error among them stops the build of the bundle)."""
    try:
        for request in before:
            process.stdin.write(request)
        process.stdin.write(_message(number, payload))
        process.stdin.flush()
    except (BrokenPipeError, OSError):
        raise StaticIndexError("no output") from None
    while True:
        reply = replies.get()
        if reply is None:
            raise StaticIndexError("no output")
        answer = reply.get("payload") if isinstance(reply, dict) else None
        if not isinstance(answer, dict) or answer.get("type") == "Error":
            message = answer.get("message") if isinstance(answer, dict) else None
            raise StaticIndexError(str(message or "an answer it could not read"))
        if reply.get("message_id") == number:
            return answer


def bundle_staging_path(anchor: Path) -> Path:
    """Where the bundle is built: beside `anchor` (the Whoosh index or the site), on the
    same filesystem, so publishing it is a rename."""
    anchor = Path(anchor)
    return anchor.with_name(f".{anchor.name}.pagefind-{os.getpid()}")


@dataclass
class StagedBundle:
    """A finished bundle, not yet in the site."""

    path: Path

    def publish(self, site_dir: Path) -> None:
        """Put the bundle at site_dir/pagefind in one swap; a copy first when the site is
        on another filesystem."""
        live = Path(site_dir) / BUNDLE_DIR
        live.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(self.path).st_dev != os.stat(live.parent).st_dev:
            local = live.with_name(f".{BUNDLE_DIR}.incoming-{os.getpid()}")
            shutil.rmtree(local, ignore_errors=True)
            shutil.copytree(self.path, local)
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = local
        # A plain folder inside the site, not a published generation: the site itself is
        # one (build/site), and an identical build must write identical files.
        retired = live.with_name(f".{BUNDLE_DIR}.retired-{os.getpid()}")
        if live.is_symlink() or live.is_file():
            live.unlink()
        elif live.exists():
            live.rename(retired)
        self.path.rename(live)
        shutil.rmtree(retired, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
