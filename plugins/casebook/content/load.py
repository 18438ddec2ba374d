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
    src_uri = path.relative_to(content_dir).as_posix()
    display = display_path(path)
    kind = document_kind(src_uri)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                display,
                1,
                f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; "
                "split it or remove embedded data (images belong in separate files)",
            )
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
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
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
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
    return document, problems


def content_files(content_dir: Path) -> list[Path]:
    """Every Markdown file under the content directory, in a stable order; symlinks and
    hidden files are never among them (content_tree.walk_content says why)."""
    return walk_content(content_dir).markdown


def load_documents(content_dir: Path) -> tuple[list[Document], list[Problem]]:
    """Every Markdown file, and a problem for every file content/ must not hold."""
    tree = walk_content(content_dir)
    documents: list[Document] = []
    problems: list[Problem] = list(tree.problems)
    for path in tree.markdown:
        document, found = load_document(path, content_dir)
        problems.extend(found)
        if document is not None:
            documents.append(document)
    return documents, problems
