"""A second process that renders pages from the last one back while this process renders
them from the first, and hands each one over; the two stop where they meet.

Why: in a build from nothing at N=1,000 both cores are busy until the background work
(the search indexes) is done, about 9 s in. MkDocs' process then still has the theme's
templates to run for the pages it has not reached (2.4 s, one core idle). A process
forked once every page is read can render the last of them meanwhile, at the lowest
priority, so it takes only a core nothing else wants.

The pages are the same either way: the other process is a fork, so it renders from the
same state; each page comes back under a key the caller computed there, and the caller
uses it only under the key it computes itself; a page not sent (not yet reached, or
failed there) is rendered here as before. Where fork is missing, nothing is started.
Nothing here knows about MkDocs.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import struct
from collections.abc import Callable, Sequence

from .page_writer import PIPE_SIZE, widen_pipe

WORTH_A_PROCESS = 64  # fewer pages than this: a fork costs more than it saves
NICENESS = 19  # the lowest priority: a core the build's other work leaves idle
_COUNT = struct.Struct("!I")  # a frame: how many strings, their lengths, then the strings
_POSITION = struct.Struct("q")  # the page this process has reached, in shared memory


class SecondRenderer:
    """Pages 0..count-1 rendered by `render(index)` -> a tuple of strings (the page, its
    key, ...) or None, from the last one back, in a forked process. The caller tells it
    where it is with `reached(index)`, which returns the tuples sent so far; it renders
    nothing at or below the caller's page."""

    def __init__(
        self,
        count: int,
        render: Callable[[int], tuple[str, ...] | None],
        niceness: int = NICENESS,
        inherited: Sequence[int] = (),
    ) -> None:
        """`inherited`: descriptors the fork closes first (another pipe's writing end,
        whose reader waits for every copy of it to close)."""
        self.process: multiprocessing.process.BaseProcess | None = None
        self.received = 0
        self._read: int | None = None
        self._buffer = bytearray()
        self._position = mmap.mmap(-1, _POSITION.size)  # anonymous and shared: a fork sees it
        _POSITION.pack_into(self._position, 0, -1)
        if count < WORTH_A_PROCESS or "fork" not in multiprocessing.get_all_start_methods():
            return
        read, write = os.pipe()
        widen_pipe(write)  # room for several pages, so the renderer rarely waits
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_render_from_the_end,
            args=(read, write, count, render, self._position, niceness, inherited),
            daemon=True,
        )
        self.process.start()
        os.close(write)
        os.set_blocking(read, False)
        self._read = read

    def reached(self, index: int) -> list[tuple[str, ...]]:
        """This process is at page `index` (the other renders nothing from here down):
        the pages sent since the last call, complete ones only."""
        _POSITION.pack_into(self._position, 0, index)
        if self._read is None:
            return []
        while True:
            try:
                chunk = os.read(self._read, PIPE_SIZE)
            except BlockingIOError:
                break  # nothing more sent yet
            except OSError:
                chunk = b""
            if not chunk:  # it has finished (or died): what came is all there is
                self._close()
                break
            self._buffer += chunk
        return self._frames()

    def _frames(self) -> list[tuple[str, ...]]:
        found = take_frames(self._buffer)
        self.received += len(found)
        return found

    def stop(self) -> None:
        """Stop it wherever it is; nothing it sends is read after this."""
        self._close()
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None
        self._buffer.clear()

    def _close(self) -> None:
        read, self._read = self._read, None
        if read is not None:
            try:
                os.close(read)
            except OSError:  # already unusable (the read that failed): nothing to close
                pass


def take_frames(buffer: bytearray) -> list[tuple[str, ...]]:
    """The whole frames at the start of `buffer`, taken out of it; a frame not yet whole
    stays for the bytes still to come."""
    found, start = [], 0
    while len(buffer) - start >= _COUNT.size:
        (count,) = _COUNT.unpack_from(buffer, start)
        lengths = struct.Struct(f"!{count}I")
        if len(buffer) - start < _COUNT.size + lengths.size:
            break
        sizes = lengths.unpack_from(buffer, start + _COUNT.size)
        position = start + _COUNT.size + lengths.size
        if len(buffer) < position + sum(sizes):
            break
        strings = []
        for size in sizes:
            text = bytes(buffer[position : position + size])
            strings.append(text.decode("utf-8", "surrogatepass"))
            position += size
        found.append(tuple(strings))
        start = position
    del buffer[:start]
    return found


def _render_from_the_end(read, write, count, render, position, niceness, inherited) -> None:
    """In the forked process: nothing it does is seen but what it sends. Its output and
    errors go nowhere (a warning while rendering is for MkDocs' process to give, when it
    renders that page itself)."""
    for descriptor in (read, *inherited):
        try:
            os.close(descriptor)
        except OSError:
            pass
    silent = os.open(os.devnull, os.O_WRONLY)
    os.dup2(silent, 1)
    os.dup2(silent, 2)
    try:
        os.nice(niceness)
    except OSError:
        pass
    with open(write, "wb", buffering=0) as pipe:
        render_pages(pipe, count, render, position)


def render_pages(pipe, count: int, render, position) -> None:
    """Pages count-1 down to 0, each as a frame written to `pipe`, stopping at the first
    page the caller has reached (its index, in `position`). A page whose rendering gives
    None or fails is left to the caller; a pipe that cannot be written ends the work."""
    for index in range(count - 1, -1, -1):
        if _POSITION.unpack_from(position, 0)[0] >= index:
            return  # the other process has reached it: the rest is done there
        try:
            found = render(index)
        except Exception:  # that page is rendered there, and fails there if it must
            continue
        if found is None:
            continue
        try:
            _write_all(pipe, _frame(found))
        except OSError:  # the other process has stopped reading
            return


def _frame(strings: tuple[str, ...]) -> bytes:
    encoded = [text.encode("utf-8", "surrogatepass") for text in strings]
    sizes = struct.pack(f"!{len(encoded)}I", *(len(part) for part in encoded))
    return b"".join([_COUNT.pack(len(encoded)), sizes, *encoded])


def _write_all(pipe, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[pipe.write(view) :]
