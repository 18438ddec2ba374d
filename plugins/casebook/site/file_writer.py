"""Files the build generates whole (open data, citations), written by a thread while the
pages render.

At N=1,000 they are over 3,000 small files. Creating a file here is mostly a wait on the
disk, not CPU (3,000 files: 0.13-0.2 s of CPU, 0.24-0.74 s of wall time, more when the
disk is busy), and a waiting thread lets the rendering go on. Handed to MkDocs instead,
each was created in turn between the rendering and the pages, with a directory check
before each one. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import threading
from pathlib import Path


class FileWriter:
    """Writes {path in the site: text} under `root` in the background; `wait()` returns
    the problems, one line each, naming the file and the reason."""

    def __init__(self, root: Path, files: dict[str, str]):
        self.root = Path(root)
        self.files = files
        self.problems: list[str] = []
        self._thread = threading.Thread(target=self._write, name="casebook-files", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        made: set[str] = set()
        for uri, text in self.files.items():
            path = self.root / uri
            try:
                if path.parent.as_posix() not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent.as_posix())
                with open(path, "w", encoding="utf-8", newline="") as output:
                    output.write(text)
            except OSError as error:
                self.problems.append(f"{uri} could not be written: {error.strerror or error}")
                if len(self.problems) >= 5:  # a full or read-only disk: the rest would be alike
                    self.problems.append("the rest were not tried")
                    return

    def wait(self) -> list[str]:
        self._thread.join()
        return self.problems
