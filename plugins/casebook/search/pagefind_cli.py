"""Pagefind's binary in its service mode (`pagefind --service`, the protocol its own Node
and Python clients use: base64 JSON requests and replies, each ended by a comma): pages
in over a pipe, the bundle's files back in one reply.

Every page is sent at once and the replies read by a thread as they come (Pagefind's
Python client waits for each reply, polling every 0.1 s: 100 records took 14 s). The
files come back in GetFiles' reply for the caller to write: the service's own WriteFiles
answers before its writes reach the disk, and a service that then exits left empty
files (2 bundles in 30)."""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path


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


def index_pages(pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """Index (URL, HTML) pages in one run of `pagefind --service`; its bundle's files by
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
                files = _index(process, replies, pages)
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


def _index(process, replies, pages: list[tuple[str, str]]) -> dict[str, bytes]:
    index = _ask(process, replies, 0, {"type": "NewIndex", "config": _CONFIG}).get("index_id")
    if not isinstance(index, int):
        raise StaticIndexError("an answer it could not read")
    requests = [
        _message(
            number,
            {
                "type": "AddFile",
                "index_id": index,
                "url": url,
                "file_contents": text,
            },
        )
        for number, (url, text) in enumerate(pages, 1)
    ]
    answer = _ask(
        process, replies, len(pages) + 1, {"type": "GetFiles", "index_id": index}, requests
    )
    try:
        return {entry["path"]: base64.b64decode(entry["content"]) for entry in answer["files"]}
    except (KeyError, TypeError, ValueError):
        raise StaticIndexError("an answer it could not read") from None


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
    except OSError:
        pass  # Pagefind stopped reading: its replies (an error, or none) say why
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
