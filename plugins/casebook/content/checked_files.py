"""Each content file read and checked on its own, its verdict kept between runs under a
key of its bytes, so a library in which little changed is not parsed and checked again.

A kept record is only a shortcut to the check's own verdict on identical input: the key
hashes the file's bytes and place (src_uri) with all else the per-file rules read
(taxonomy.yml as loaded, the date, this package's code and the parser's versions). The
rules that compare files (validate.check_across, links) are never kept; they run on the
current library every time. The adapter hands in the store, a checksummed JSON file
(site/render_cache.py), so a damaged one is found and every file checked afresh.

Front matter is kept as JSON with tags for what JSON lacks (dates, keys that are not
text); each type kept is one JSON gives back exactly. A file with any other value (a
YAML set or binary) is not kept: it is parsed and checked on every run instead.

Over 250 lines because a record's shape is the contract between the walk that keeps
and restores records and the encoding of front matter: they change together.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import sys
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import yaml

from .content_tree import walk_content
from .load import Document, document_kind, document_text, parse_document, size_problem
from .problems import ERROR, WARNING, Problem, display_path
from .taxonomy import Taxonomy
from .two_processes import map_in_two
from .validate import check_document
from .yaml_source import SafeLoader

FORMAT = 2  # 2: the front matter's text, where a reader may take the meta
_TAGS = ("$date", "$datetime", "$pairs")
# Front matter nested deeper than this is not kept: YAML allows 1,000 levels, which
# would take the encoder and JSON past Python's recursion limit. No real page nests so.
MAX_DEPTH = 32


class RecordStore(Protocol):
    """Where records are kept: get() marks a record as used, so it is saved again."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, record: Any) -> None: ...

    def forget(self, key: str) -> None: ...


def checked_documents(
    content_dir: Path,
    taxonomies: dict[str, Taxonomy],
    today: dt.date,
    store: RecordStore | None = None,
) -> tuple[list[Document], list[Problem]]:
    """Every Markdown file, read and checked by the rules that read it alone, and a
    problem for every file content/ must not hold. With a store, a file's document and
    problems come from it when it holds them for exactly this input; the files it does
    not hold are checked in two processes (two_processes.py) when there are many."""
    tree = walk_content(content_dir)
    problems: list[Problem] = list(tree.problems)
    context = input_digest(taxonomies, today) if store is not None else ""
    checked: list[tuple[Document | None, list[Problem]] | None] = []
    unkept: list[tuple[int, _Input]] = []  # (place in `checked`, the file as read)
    for path in tree.markdown:
        too_big = size_problem(path)
        if too_big is not None:
            checked.append((None, [too_big]))
            continue
        read = _Input.of(path, content_dir, context)
        checked.append(_kept(read, store) if store is not None else None)
        if checked[-1] is None:
            unkept.append((len(checked) - 1, read))
    if store is not None:
        check = functools.partial(_checked_record, taxonomies=taxonomies, today=today)
        records = map_in_two(check, [read for _, read in unkept])
    else:
        records = [None] * len(unkept)
    for (place, read), record in zip(unkept, records, strict=True):
        result = _restore(record, read.raw, read.path, read.src_uri) if record else None
        if result is None:  # not keepable: checked here, as without a store
            result = _check(read, taxonomies, today)
        elif store is not None:
            store.put(read.key, record)
        checked[place] = result
    documents: list[Document] = []
    for document, found in checked:
        problems.extend(found)
        if document is not None:
            documents.append(document)
    return documents, problems


class _Input(NamedTuple):
    path: Path
    raw: bytes  # read once: the bytes hashed are the bytes checked
    src_uri: str
    key: str

    @classmethod
    def of(cls, path: Path, content_dir: Path, context: str) -> _Input:
        """The file as read; its key in the store only where there is one (`context`)."""
        raw = path.read_bytes()
        src_uri = path.relative_to(content_dir).as_posix()
        key = ""
        if context:
            key = hashlib.sha256(f"{context}\0{src_uri}\0".encode() + raw).hexdigest()
        return cls(path, raw, src_uri, key)


def _kept(read: _Input, store: RecordStore) -> tuple[Document | None, list[Problem]] | None:
    record = store.get(read.key)
    if record is None:
        return None
    kept = _restore(record, read.raw, read.path, read.src_uri)
    if kept is None:
        store.forget(read.key)  # not as this code writes records: checked afresh
    return kept


def _check(read: _Input, taxonomies, today) -> tuple[Document | None, list[Problem]]:
    document, problems = parse_document(read.raw, read.path, read.src_uri)
    if document is not None:
        problems += check_document(document, taxonomies, today)
    return document, problems


def _checked_record(read: _Input, taxonomies, today) -> dict[str, Any] | None:
    """The record of a file's verdict (plain data, as the store keeps it), or None when
    it could not be restored exactly."""
    document, problems = _check(read, taxonomies, today)
    return _record(document, problems, read.raw, display_path(read.path))


def input_digest(taxonomies: dict[str, Taxonomy], today: dt.date) -> str:
    """All a file's verdict reads besides the file: a change to any starts afresh."""
    parts = (str(FORMAT), code_version(), repr(taxonomies), today.isoformat())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """A hash of this package's files (the rules, the template whose sections are
    checked) and of the versions of Python and the parsers."""
    hasher = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(f"{path.relative_to(package).as_posix()}\0".encode())
            hasher.update(path.read_bytes() + b"\0")
    try:
        front_matter = importlib.metadata.version("python-frontmatter")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed with us
        front_matter = "unknown"
    versions = (sys.version, yaml.__version__, SafeLoader.__name__, front_matter)
    hasher.update("\0".join(versions).encode())
    return hasher.hexdigest()


# -- records ----------------------------------------------------------------------------


def _record(
    document: Document | None, problems: list[Problem], raw: bytes, display: str
) -> dict[str, Any] | None:
    """What a later run needs to stand in for parsing and checking these bytes, or None
    when it could not be restored exactly."""
    if any(problem.path != display for problem in problems):
        return None  # a problem naming another file could not be restored: not kept
    record: dict[str, Any] = {
        "problems": [[p.line, p.message, p.severity, p.column] for p in problems],
        "document": None,
    }
    if document is None:
        return record
    try:
        meta = _encode(document.meta)
    except TypeError:
        return None
    entry = {
        "meta": meta,
        "lines": document.lines,
        "body_line": document.body_line,
        "has_front_matter": document.has_front_matter,
        "unreadable": document.unreadable,
    }
    # The body is the text after the front matter: kept as where it starts.
    text = document_text(raw)
    entry["body_start"] = start = len(text) - len(document.body)
    if text[start:] != document.body:
        return None  # a body that is not the text's end could not be restored: not kept
    # The YAML text the meta is exactly the parse of, kept as where it is in the text.
    front = document.front_matter
    if front is not None:
        at = text.find(front)
        entry["front_matter"] = [at, at + len(front)]
    else:
        entry["front_matter"] = None
    record["document"] = entry
    return record


def _restore(
    record: Any, raw: bytes, path: Path, src_uri: str
) -> tuple[Document | None, list[Problem]] | None:
    """The document and problems a record stands for, or None if it is not one."""
    display = display_path(path)
    try:
        problems = []
        for line, message, severity, column in record["problems"]:
            for value, kind in ((line, int), (message, str), (column, int)):
                _expect(value, kind)
            if severity not in (ERROR, WARNING):
                raise ValueError(severity)
            problems.append(Problem(display, line, message, severity, column))
        entry = record["document"]
        if entry is None:
            return None, problems
        meta = _expect(_decode(entry["meta"]), dict)
        lines = _expect(entry["lines"], dict)
        for line in lines.values():  # (JSON's keys are always text)
            _expect(line, int)
        text = document_text(raw)
        body = text[_expect(entry["body_start"], int) :]
        front = entry["front_matter"]
        if front is not None:
            start, end = (_expect(offset, int) for offset in _expect(front, list))
            front = text[start:end]
        document = Document(
            path=path,
            src_uri=src_uri,
            display=display,
            kind=document_kind(src_uri),
            meta=meta,
            lines=lines,
            body=body,
            body_line=_expect(entry["body_line"], int),
            has_front_matter=_expect(entry["has_front_matter"], bool),
            unreadable=_expect(entry["unreadable"], bool),
            front_matter=front,
        )
    # (UnicodeDecodeError is a ValueError; RecursionError, nesting no record of ours has)
    except (KeyError, TypeError, ValueError, RecursionError):
        return None
    return document, problems


def _expect(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise TypeError(f"{kind.__name__} expected")
    return value


def _encode(value: Any, depth: int = 0) -> Any:
    """Front matter as JSON: plain values as they are, dates and mappings whose keys are
    not all text tagged. Raises TypeError for any other type (a set, bytes), and past
    MAX_DEPTH levels."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if depth == MAX_DEPTH:
        raise TypeError("nested too deeply to keep")
    if kind is list:
        return [_encode(item, depth + 1) for item in value]
    if kind is dict:
        # A mapping of one key spelt like a tag is tagged too, so no text reads as a tag.
        if all(type(key) is str for key in value) and not (
            len(value) == 1 and next(iter(value)) in _TAGS
        ):
            return {key: _encode(item, depth + 1) for key, item in value.items()}
        pairs = [[_encode(key, depth + 1), _encode(item, depth + 1)] for key, item in value.items()]
        return {"$pairs": pairs}
    if kind is dt.date:
        return {"$date": value.isoformat()}
    if kind is dt.datetime:
        return {"$datetime": value.isoformat()}
    raise TypeError(f"{kind.__name__} is not kept")


def _decode(value: Any) -> Any:
    if type(value) is list:
        return [_decode(item) for item in value]
    if type(value) is not dict:
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if tag == "$pairs":
            return {_decode(key): _decode(item) for key, item in inner}
    return {key: _decode(item) for key, item in value.items()}
