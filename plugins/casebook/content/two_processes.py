"""Pure work on many items shared with a forked process, for the machine's other core.

For CPU-bound Python where each item's result is plain data (JSON): reading and checking
every content file of a library nothing of which was kept (at N=1,000, 1.3 s of CPU in
MkDocs' process while the other core has nothing to do yet). The forked process works
out every other item and sends its results back as JSON; this one does the rest.
Without fork, or if the other process fails, this process does its items too: the
results are the same either way, only the time differs.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
WORTH_A_PROCESS = 64  # fewer items than this: a fork costs more than it saves


def map_in_two(
    function: Callable[[Item], Any], items: Sequence[Item], worth: int = WORTH_A_PROCESS
) -> list[Any]:
    """[function(item) for item in items], every other one in a forked process. The
    function must give JSON-able results and no side effects this process needs (on
    disk it may have them: a file it writes is written either way). `worth`: fewer
    items than this are all done here."""
    if len(items) < worth or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    helper = context.Process(target=_work, args=(sending, function, items[1::2]), daemon=True)
    helper.start()
    sending.close()
    mine = [function(item) for item in items[0::2]]
    theirs = None
    try:
        text = receiving.recv_bytes()
        theirs = json.loads(text)
    except (EOFError, OSError, ValueError):
        pass  # it failed: its share is done here
    finally:
        receiving.close()
        helper.join()
    if not isinstance(theirs, list) or len(theirs) != len(items[1::2]) or helper.exitcode:
        theirs = [function(item) for item in items[1::2]]
    results: list[Any] = []
    for index in range(len(items)):
        results.append(mine[index // 2] if index % 2 == 0 else theirs[index // 2])
    return results


def _work(connection, function: Callable[[Any], Any], items: Sequence[Any]) -> None:
    try:
        connection.send_bytes(json.dumps([function(item) for item in items]).encode())
    finally:
        connection.close()
