"""CPU of the related lists (search/related.py related_slugs) at a library size: cold
(no term count cache) and warm (the cache from the build before, one text edited), each
in a fresh process, as a build's second process is. Process CPU time, not wall time:
the machine is shared. Usage: python benchmarks/related.py 1000 [--repeat 3]"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench-related"


def one_run(content: Path, cache: Path, edit: bool) -> float:
    """related_slugs' CPU seconds in this process (the cache saved after, not counted)."""
    from casebook.content.catalogue import load_catalogue
    from casebook.search.related import related_slugs
    from casebook.search.term_count_cache import TermCountCache
    from casebook.search.whoosh_index import search_documents

    catalogue, _ = load_catalogue(content)
    documents = search_documents(catalogue)
    if edit:
        first = next(n for n, d in enumerate(documents) if d.kind == "case_study")
        edited = documents[first].body + f"\nEdited at {time.time()}.\n"
        documents[first] = dataclasses.replace(documents[first], body=edited)
    start = time.process_time()
    kept = TermCountCache(cache)
    related_slugs(catalogue, documents, 5, kept)
    took = time.process_time() - start
    kept.save()
    return took


def measure(count: int, repeat: int) -> dict[str, float]:
    content = WORK / str(count) / "content"
    if not content.is_dir():
        generate(count, content)
    cache = WORK / str(count) / "term-counts.json"
    runs: dict[str, list[float]] = {"cold": [], "warm": []}
    for _ in range(repeat):
        for mode in ("cold", "warm"):
            if mode == "cold":
                cache.unlink(missing_ok=True)
            command = [sys.executable, __file__, str(count), "--one", mode]
            output = subprocess.run(command, check=True, capture_output=True, text=True)
            runs[mode].append(float(output.stdout))
    return {mode: statistics.median(seconds) for mode, seconds in runs.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=["cold", "warm"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        folder = WORK / str(arguments.count)
        print(one_run(folder / "content", folder / "term-counts.json", arguments.one == "warm"))
    else:
        figures = measure(arguments.count, arguments.repeat)
        cold, warm = figures["cold"], figures["warm"]
        print(f"N={arguments.count}: cold {cold:.2f} s, warm {warm:.2f} s CPU")
