"""Read content files: split front matter from body and keep the line of every key.

Loading never raises for bad content; it returns the problems it found beside whatever
it could read, so one run reports everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from .content_tree import walk_content
from .problems import Problem, display_path
from .yaml_source import parse_yaml

MAX_FILE_BYTES = 1_000_000
CASE_STUDIES_DIR = "case_studies"
POLICY_DIR = "policy"
INDEX_NAMES = {"index.md", "README.md"}

_YAML = YAMLHandler()


@dataclass
class Document:
    """One Markdown file under the content directory."""

    path: Path  # on disk
    src_uri: str  # relative to the content directory, with forward slashes
    display: str  # how problems name the file
    kind: str  # "case_study", "policy" or "page"
    meta: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    has_front_matter: bool = False
    # The front matter could not be parsed: its parse error is the only problem reported,
    # since every other rule would only echo it ("missing required field" for each key).
    unreadable: bool = False
    # The YAML text `meta` is exactly the parse of (every key already text), so a reader
    # holding the same text may take `meta` instead of parsing it again; None otherwise.
    front_matter: str | None = None

    @property
    def slug(self) -> str:
        return Path(self.src_uri).stem

    def line_of(self, key: str) -> int:
        """The line of a front-matter key (or `key.N` list item), else of its parent, else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1


def document_kind(src_uri: str) -> str:
    parts = src_uri.split("/")
    if len(parts) >= 2 and parts[-1] not in INDEX_NAMES:
        if parts[0] == CASE_STUDIES_DIR:
            return "case_study"
        if parts[0] == POLICY_DIR:
            return "policy"
    return "page"


def load_document(path: Path, content_dir: Path) -> tuple[Document | None, list[Problem]]:
    """Read one file. Returns (None, problems) only when nothing usable could be read."""
    too_big = size_problem(path)
    if too_big is not None:
        return None, [too_big]
    return parse_document(path.read_bytes(), path, path.relative_to(content_dir).as_posix())


def size_problem(path: Path) -> Problem | None:
    """A file over the size limit is refused before it is read."""
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        return None
    return Problem(
        display_path(path),
        1,
        f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; "
        "split it or remove embedded data (images belong in separate files)",
    )


def document_text(raw: bytes) -> str:
    """A file's text as the rules read it (raises UnicodeDecodeError for other encodings)."""
    return raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


def parse_document(raw: bytes, path: Path, src_uri: str) -> tuple[Document | None, list[Problem]]:
    """A file's bytes as a Document; everything here follows from the bytes and src_uri
    (and `path`, for where problems say they are)."""
    display = display_path(path)
    kind = document_kind(src_uri)
    try:
        text = document_text(raw)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return None, [
            Problem(
                display,
                line,
                f"file is not UTF-8 (byte 0x{raw[error.start]:02x} at byte {error.start}); "
                "save it as UTF-8 in your editor",
            )
        ]
    document = Document(path=path, src_uri=src_uri, display=display, kind=kind, body=text)
    problems: list[Problem] = []
    if not _YAML.detect(text):
        if kind != "page":
            problems.append(
                Problem(
                    display,
                    1,
                    "no front matter: start the file with a line '---', "
                    "the fields, then another '---' (copy a template with `casebook new`)",
                )
            )
        return document, problems

    try:
        front, body = _YAML.split(text)
    except ValueError:  # an opening '---' with no closing one
        problems.append(
            Problem(
                display,
                1,
                "the front matter starts with '---' on line 1 but is never closed: "
                "add a line '---' after the last field",
            )
        )
        document.unreadable = True  # its parse error alone is reported
        return document, problems
    document.has_front_matter = True
    document.body = body
    document.body_line = text.count("\n", 0, len(text) - len(body)) + 1
    # The front matter text begins with the rest of the opening "---" line.
    parsed = parse_yaml(front, first_line=1)
    if parsed.error:
        problems.append(
            Problem(display, parsed.error_line, parsed.error, column=parsed.error_column)
        )
        document.unreadable = True
        return document, problems
    if parsed.data is None:
        if kind != "page":
            problems.append(Problem(display, 1, "front matter is empty: add the required fields"))
        return document, problems
    if not isinstance(parsed.data, dict):
        problems.append(
            Problem(
                display,
                2,
                "front matter must be fields written as 'name: value', "
                f"not a {type(parsed.data).__name__}",
            )
        )
        document.unreadable = True
        return document, problems
    document.meta = {str(key): value for key, value in parsed.data.items()}
    document.lines = parsed.lines
    if all(type(key) is str for key in parsed.data):
        document.front_matter = front
    return document, problems


def content_files(content_dir: Path) -> list[Path]:
    """Every Markdown file under the content directory, in a stable order; symlinks and
    hidden files are never among them (content_tree.walk_content says why)."""
    return walk_content(content_dir).markdown
