"""Files the build generates whole (open data, citations, the search bundle), each a new
file: a hard link to the last build's copy where its bytes are unchanged, else written.

At N=1,000 the open data are over 3,000 small files and the search bundle 1,356. The data
files are written by a thread while the pages render: creating a file is mostly a wait on
the disk (3,000 files on a quiet disk: 0.13-0.2 s of CPU, 0.24-0.74 s of wall time). After
a one-file edit almost all of them have the same bytes as in the last build, and linking
the old copy costs a fraction of creating a file: the N=1,000 site's 4,354 data and bundle
files on this machine's shared ext4 disk took 3.0-3.3 s of CPU (4.1-4.8 s) to write and
0.13 s (0.2 s) to link; a warm rebuild took about 2.5 s less CPU, nearly all of it system
time. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# A previous copy is read only if it is a regular file: never through a symbolic link (its
# inode could be anyone's), never waiting on a FIFO.
_READ_PREVIOUS = os.O_RDONLY | sum(
    getattr(os, flag, 0) for flag in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY")
)


@dataclass
class Written:
    """What write_files did: files linked from the previous build, files written, and the
    files it could not place, with the reason."""

    linked: int = 0
    written: int = 0
    failures: list[tuple[str, OSError]] = field(default_factory=list)


def write_files(
    root: Path,
    files: Iterable[tuple[str, bytes]],
    previous: Path | None = None,
    give_up_after: int = 1,
) -> Written:
    """Put each (path under `root`, bytes) in place as a new file. Where `previous` (the
    last build's folder for the same tree) holds that path with exactly these bytes, the
    file is a hard link to it; otherwise, or if linking fails (another filesystem, no hard
    links, the old file gone), it is written. Either way its bytes are these bytes.

    A hard link shares its inode with the previous build's copy, which may be live, so no
    file is ever opened for writing in place: a name already taken is unlinked first.
    Stops after `give_up_after` failures (a full or read-only disk: the rest would fail
    alike)."""
    done = Written()
    made: set[str] = set()
    fresh = _fresh_file() if previous is not None else None
    for name, content in files:
        if not is_inside(name):
            raise ValueError(f"{name!r} is not a path inside {root}")
        path = os.path.join(root, name)
        try:
            folder = os.path.dirname(path)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            if fresh is not None and _link_if_same(
                os.path.join(previous, name), path, content, fresh
            ):
                done.linked += 1
            else:
                write_new(path, content)
                done.written += 1
        except OSError as error:
            done.failures.append((name, error))
            if len(done.failures) >= give_up_after:
                break
    return done


def is_inside(name: str) -> bool:
    """Whether a relative path names a file inside its folder, by its letters alone."""
    return not os.path.isabs(name) and os.path.normpath(name).split(os.sep)[0] not in ("..", ".")


def _fresh_file() -> tuple[int, int] | None:
    """The owner and permissions a file written now would have (0o666 less the umask), or
    None where they cannot be known (then nothing is linked). The umask is read, not set
    and restored: that would race with threads creating files meanwhile."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return os.geteuid(), 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _link_if_same(source: str, target: str, content: bytes, fresh: tuple[int, int]) -> bool:
    """Hard-link `source` at `target` if it is a regular file holding exactly `content`,
    with the owner and permissions a fresh write would give it. Its size only saves
    reading a file that cannot match; the bytes decide."""
    try:
        descriptor = os.open(source, _READ_PREVIOUS)
    except OSError:
        return False
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size != len(content):
            return False
        if (status.st_uid, stat.S_IMODE(status.st_mode)) != fresh:
            return False
        if _read_all(descriptor, len(content) + 1) != content:
            return False
    except OSError:
        return False
    finally:
        os.close(descriptor)
    try:
        try:
            os.link(source, target, follow_symlinks=False)
        except FileExistsError:
            os.unlink(target)
            os.link(source, target, follow_symlinks=False)
    except OSError:
        return False
    return True


def _read_all(descriptor: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(descriptor, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def write_new(path: str, content: bytes) -> None:
    """Write `content` as a new file at `path` ("x": never into an existing file, which
    could be a link to the previous build's copy)."""
    try:
        output = open(path, "xb")
    except FileExistsError:
        os.unlink(path)
        output = open(path, "xb")
    with output:
        output.write(content)


class FileWriter:
    """Writes {path in the site: text} under `root` in the background, linking unchanged
    files from `previous` (the last build's site); `wait()` returns the problems, one line
    each, naming the file and the reason."""

    def __init__(self, root: Path, files: dict[str, str], previous: Path | None = None):
        self.root = Path(root)
        self.files = files
        self.previous = Path(previous) if previous is not None else None
        self.problems: list[str] = []
        self.written: Written | None = None
        self._thread = threading.Thread(target=self._write, name="casebook-files", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        encoded = ((uri, text.encode("utf-8")) for uri, text in self.files.items())
        self.written = write_files(self.root, encoded, self.previous, give_up_after=5)
        for uri, error in self.written.failures:
            self.problems.append(f"{uri} could not be written: {error.strerror or error}")
        if len(self.problems) >= 5:  # a full or read-only disk: the rest would be alike
            self.problems.append("the rest were not tried")

    def wait(self) -> list[str]:
        self._thread.join()
        return self.problems
