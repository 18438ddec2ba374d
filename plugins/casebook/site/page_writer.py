"""Finished pages written to disk by a second process, while the build's own process goes
on rendering.

Writing a page here is mostly a wait on the disk: a new folder and a new file for each
(at N=1,000, 1,276 pages took 0.8-1.3 s of wall time for 0.2-0.6 s of CPU, all of it in
MkDocs' process, which is the build's critical path). Here the process only copies each
page into a pipe. A thread would not do: it needs the interpreter's lock after each
call into the system, and the rendering holds it.

The writer is this module's serve(), run by the same Python (`-I -S`: nothing of the
environment or the site's packages; this package found by its path), reading frames
from its standard input: the lengths of a path and of the content, then both. It writes
each under the root it was given as file_writer writes a new file (refusing any path
that would leave it) and, at the end of its input, prints one line a problem. Nothing
here knows about MkDocs.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path, PurePosixPath

from .file_writer import write_new

try:
    import fcntl
except ImportError:  # Windows: a pipe keeps its size there
    fcntl = None  # type: ignore[assignment]

_FRAME = struct.Struct("!II")  # the path's length, the content's length
# The writer process: the folder that holds this package, then the site's root.
_PACKAGES = Path(__file__).resolve().parents[2]
_WRITER = (
    "import sys; sys.path.insert(0, sys.argv[1]); from casebook.site.page_writer import serve;"
    " serve(sys.argv[2], sys.stdin.buffer, sys.stdout.buffer)"
)
MAX_PROBLEMS = 5  # a full or read-only disk: the rest would be alike
PIPE_SIZE = 1 << 20  # a pipe's room, where the system allows it (widen_pipe)


class PageWriter:
    """Writes pages under `root` in a second process; `wait()` returns the problems, one
    line each, naming the page and the reason."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._stopped: str | None = None
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WRITER, str(_PACKAGES), str(self.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        widen_pipe(self._process.stdin.fileno())  # the build rarely waits on a new folder

    def write(self, path: str, content: bytes) -> None:
        """Hand `content` over to be written at `path` (relative to the root, with /)."""
        if self._stopped is not None:
            return
        name = path.encode("utf-8")
        try:
            self._process.stdin.write(_FRAME.pack(len(name), len(content)) + name)
            self._process.stdin.write(content)
        except OSError as error:  # the writer has gone: wait() says so
            self._stopped = error.strerror or str(error)

    def wait(self) -> list[str]:
        """Once every page handed over is written: the problems (none: all written)."""
        # The end of its input, then both its outputs read at once: neither pipe fills.
        said, errors = self._process.communicate()
        code = self._process.returncode
        problems = said.decode("utf-8", "replace").splitlines()
        if code != 0 or self._stopped is not None:
            last = errors.decode("utf-8", "replace").strip().splitlines()[-1:]
            reason = last[0] if last else self._stopped or f"exit status {code}"
            problems.append(f"the page writer stopped ({reason}): pages may be missing")
        return problems

    def descriptors(self) -> list[int]:
        """Its pipes, as this process holds them: a fork that will not write pages closes
        them, so the writer still sees the end of its input when this process ends it."""
        streams = (self._process.stdin, self._process.stdout, self._process.stderr)
        return [stream.fileno() for stream in streams if stream is not None]

    def stop(self) -> None:
        """A failed build: end the writer without waiting for what it has left."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            try:
                stream.close()
            except OSError:
                pass


def widen_pipe(descriptor: int) -> None:
    """A pipe of PIPE_SIZE where Linux allows it (64 KB by default: two pages), so the
    process writing into it rarely waits for the reader."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only (fcntl is None on Windows)
    if setting is not None:
        try:
            fcntl.fcntl(descriptor, setting, PIPE_SIZE)
        except OSError:
            pass  # above the system's limit for a user: the default stays


def place(root: str, path: str) -> str | None:
    """Where `path` goes under `root`, or None if it would not stay inside it."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts or "\\" in path:
        return None
    return os.path.join(root, *parts)


def _read(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError
    return data


def serve(root: str, source, report) -> None:
    """The writer's loop: frames from `source` until its end, problems to `report`."""
    made: set[str] = set()
    problems: list[str] = []
    while header := source.read(_FRAME.size):
        if len(header) != _FRAME.size:
            raise EOFError  # the build stopped part-way through a page
        length, size = _FRAME.unpack(header)
        path = _read(source, length).decode("utf-8", "replace")
        content = _read(source, size)
        if len(problems) >= MAX_PROBLEMS:
            continue  # read on, so the build never waits on a full pipe
        target = place(root, path)
        if target is None:
            problems.append(f"{path} could not be written: it is not a path in the site")
            continue
        try:
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            write_new(target, content)
        except OSError as error:
            problems.append(f"{path} could not be written: {error.strerror or error}")
            if len(problems) >= MAX_PROBLEMS:
                problems.append("the rest were not tried")
    report.write("".join(f"{problem}\n" for problem in problems).encode("utf-8"))
    report.flush()
