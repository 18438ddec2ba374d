"""Pagefind's binary run over the records as files: each (URL, HTML) record written where
its URL says into a scratch folder (in memory, /dev/shm, where the system has one), then
`pagefind --site` over it, and the bundle it writes read back for the caller to place.

Its service mode (`pagefind --service`: records over a pipe, base64 JSON, the way its own
Node and Python clients talk to it) indexes one record at a time. At N=1,000 it took 3.6 s
of wall time and 3.7 s of CPU; the same records as files took the CLI 2.3 s and 3.3 s,
and writing them into memory 0.06 s (on this machine's disk, 0.57 s). Nothing else is
read: the scratch folder is the working directory, so a pagefind.yml of the project is
not, and PAGEFIND_* variables other than the binary's path are left out."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from ..site.directories import pid_alive

MEMORY_FOLDER = Path("/dev/shm")
SCRATCH_PREFIX = "casebook-pagefind-"


class StaticIndexError(Exception):
    """Pagefind could not build the bundle (the message says why)."""


def _failed(reason: object) -> StaticIndexError:
    return StaticIndexError(f"Pagefind could not build the search bundle: {reason}")


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


def scratch_parent(needed: int) -> str | None:
    """Memory where the system offers it to every user with room for `needed` bytes
    (a container's /dev/shm is often 64 MB), else the system's temporary folder (None)."""
    try:
        if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
            free = os.statvfs(MEMORY_FOLDER)
            if free.f_bavail * free.f_frsize >= needed:
                return str(MEMORY_FOLDER)
    except OSError:
        pass
    return None


def record_path(url: str) -> PurePosixPath:
    """Where a record goes so that Pagefind gives it back `url`: "/a/b/" is
    a/b/index.html, "/a/b.html" itself. StaticIndexError for a URL that is not a plain
    path inside the site."""
    parts = url.strip("/").split("/") if url.strip("/") else []
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        raise _failed(f"a record with an address it cannot place ({url!r})")
    if url.endswith("/") or not parts:
        parts.append("index.html")
    elif not parts[-1].endswith(".html"):
        raise _failed(f"a record with an address it cannot place ({url!r})")
    return PurePosixPath(*parts)


def index_pages(pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """Index (URL, HTML) pages in one run of `pagefind --site`; its bundle's files by
    path. StaticIndexError, with Pagefind's own words where it has any, otherwise."""
    # The records, and a bundle of about half their size, with room to spare.
    needed = 3 * sum(len(text) for _, text in pages) + (64 << 20)
    parent = Path(scratch_parent(needed) or tempfile.gettempdir())
    _remove_dead_scratch(parent)
    # Named by this process, so a later run removes it if this one is killed (a build
    # stopped part-way ends its second process without a word).
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
    try:
        site, output = scratch / "site", scratch / "bundle"
        made: set[Path] = set()
        placed: set[PurePosixPath] = set()
        for url, text in pages:
            where = record_path(url)
            if where in placed:  # one would hide the other
                raise _failed(f"two records with the same address ({url!r})")
            placed.add(where)
            path = site / where
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_text(text, encoding="utf-8")
        _run(site, output, scratch)
        return _bundle_files(output)
    except OSError as error:
        raise _failed(error.strerror or error) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _remove_dead_scratch(parent: Path) -> None:
    """This user's scratch folders whose process is gone (killed builds'): in memory,
    they would hold it until the machine restarts."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        pid, dash, _ = entry.name.removeprefix(SCRATCH_PREFIX).partition("-")
        if not entry.name.startswith(SCRATCH_PREFIX) or not dash or not pid.isdigit():
            continue
        try:
            if entry.is_symlink() or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if not pid_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _bundle_files(output: Path) -> dict[str, bytes]:
    """The files Pagefind wrote, by path; only regular files and folders of its own."""
    files = {}
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise _failed(f"a file it cannot read as its own ({name})")
        if path.is_file():
            files[name] = path.read_bytes()
    return files


# Pagefind's defaults otherwise; English for every record (they are written in English).
_OPTIONS = ["--force-language", "en", "--quiet"]


def _run(site: Path, output: Path, scratch: Path) -> None:
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(output)]
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PAGEFIND_") or name == "PAGEFIND_BINARY_PATH"
    }
    try:
        finished = subprocess.run(
            [*command, *_OPTIONS],
            cwd=scratch,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
    except OSError as error:
        raise _failed(error.strerror or error) from None
    if finished.returncode != 0:
        said = (finished.stderr or finished.stdout).decode("utf-8", "replace")
        lines = [line.strip() for line in said.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"it stopped with exit status {finished.returncode}"
        raise _failed(reason)
