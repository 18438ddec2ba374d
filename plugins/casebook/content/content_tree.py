"""What content/ may hold: Markdown, taxonomy.yml and images of a few types. Nothing else.

The check and the build both ask this module which files to take, so the site publishes
exactly what the check accepted. The walk never follows a symlink: a link can point
anywhere on the machine that builds the site (/proc/self/environ, /etc/passwd, a folder).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .markdown_budget import markdown_budget_problem
from .problems import Problem, display_path

TAXONOMY_FILE = "taxonomy.yml"
# Each allowed image type and how its file starts, so a script renamed .png is refused.
IMAGE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".webp": (b"RIFF",),
}


@dataclass
class ContentTree:
    markdown: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def accepted_uris(self, content_dir: Path) -> set[str]:
        """src_uri of every file the build may publish (before per-page rules)."""
        files = [*self.markdown, *self.images]
        accepted = {path.relative_to(content_dir).as_posix() for path in files}
        if (content_dir / TAXONOMY_FILE).is_file() and not (
            content_dir / TAXONOMY_FILE
        ).is_symlink():
            accepted.add(TAXONOMY_FILE)
        return accepted


def _hidden(relative: str) -> bool:
    # Only the path inside the content directory decides what is hidden: a checkout
    # under a hidden folder (~/.src/casebook) is still read. MkDocs skips these as well.
    return any(part.startswith(".") for part in relative.split("/"))


def walk_content(content_dir: Path) -> ContentTree:
    """Every file under content/, sorted, sorted into what is taken and what is refused."""
    content_dir = Path(content_dir)
    tree = ContentTree()
    found: list[tuple[Path, bool]] = []  # (path, is a symlink)
    for directory, folders, files in os.walk(content_dir, followlinks=False):
        base = Path(directory)
        for name in folders:  # os.walk lists a symlinked folder here but does not enter it
            path = base / name
            if path.is_symlink():
                found.append((path, True))
        folders[:] = [
            name
            for name in folders
            if not (base / name).is_symlink()
            and not _hidden((base / name).relative_to(content_dir).as_posix())
        ]
        found.extend((base / name, (base / name).is_symlink()) for name in files)
    for path, is_link in sorted(found):
        relative = path.relative_to(content_dir).as_posix()
        if _hidden(relative):
            continue
        if is_link:
            tree.problems.append(
                Problem(
                    display_path(path),
                    1,
                    "is a symbolic link; content/ takes only real files (a link can publish "
                    "files from outside the repository): copy the file here instead",
                )
            )
            continue
        suffix = path.suffix.lower()
        if suffix == ".md":
            tree.markdown.append(path)
        elif relative == TAXONOMY_FILE:
            continue
        elif suffix in IMAGE_SIGNATURES:
            problem = _image_problem(path, suffix)
            if problem is None:
                tree.images.append(path)
            else:
                tree.problems.append(Problem(display_path(path), 1, problem))
        else:
            tree.problems.append(Problem(display_path(path), 1, _refusal(path, suffix)))
    return tree


def _image_problem(path: Path, suffix: str) -> str | None:
    try:
        with path.open("rb") as handle:
            start = handle.read(16)
    except OSError as error:
        return f"cannot be read ({error.strerror}); check its permissions"
    if not any(start.startswith(signature) for signature in IMAGE_SIGNATURES[suffix]):
        return f"is named {suffix} but is not a {suffix[1:].upper()} image; export it again"
    if suffix == ".webp" and start[8:12] != b"WEBP":
        return "is named .webp but is not a WebP image; export it again"
    return None


def _refusal(path: Path, suffix: str) -> str:
    allowed = "Markdown (.md), taxonomy.yml and images (.png, .jpg, .jpeg, .webp)"
    if suffix == ".svg":
        return (
            "SVG images can carry scripts and are not published; export it as PNG or WebP. "
            f"content/ takes {allowed}"
        )
    kind = f"'{suffix}' files" if suffix else "files without an extension"
    return f"{kind} are not published; content/ takes {allowed}: move or delete this file"


def publishable(content_dir: Path, documents: Mapping[str, Any]) -> set[str]:
    """src_uri of every file under content/ the build may publish: what the walk accepts,
    less pages over the rendering budget. `documents` maps src_uri to loaded documents."""
    tree = walk_content(content_dir)
    accepted = tree.accepted_uris(Path(content_dir))
    for uri, document in documents.items():
        if markdown_budget_problem(document.body) is not None:
            accepted.discard(uri)
    return accepted
