"""Problems in content, reported as values so every one is collected and shown together."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
# A warning is advice (a short body, a missing section heading): `casebook check` and the
# build report it but pass, and `casebook check --strict` turns it into an error.
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content: where it is and what to do about it."""

    path: str
    line: int
    message: str
    severity: str = ERROR
    column: int = 0  # 0 when only the line is known

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        label = "warning: " if self.severity == WARNING else ""
        return f"{where}: {label}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }

    def as_github_annotation(self, severity: str | None = None) -> str:
        """A workflow command that GitHub shows on this line of the pull request's diff."""
        properties = f"file={_escape_property(self.path)},line={self.line}"
        if self.column:
            properties += f",col={self.column}"
        properties += ",title=casebook check"
        return f"::{severity or self.severity} {properties}::{_escape_data(self.message)}"


# GitHub's workflow-command escaping (toolkit's command.ts): a newline in a message must
# not end the command, and a comma or colon must not end a property.
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path) -> str:
    """A path as a contributor would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
