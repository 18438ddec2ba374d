"""The static search in a real browser at N case studies: the bytes a reader's first query
in the header transfers (the search script, Pagefind's script, worker, WebAssembly, index
chunks and the first eight results' fragments, with text files gzipped as GitHub Pages
sends them), and the time of each later query (window.casebookSearch plus the first eight
results' data, as the header shows them), measured in the page with performance.now().
Needs a site built by run.py (build/bench/N/site-casebook) and Debian's Chromium."""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

from browser_filter import ARGS, ROOT, serve  # noqa: F401 - one static server for both
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import LONG_TAIL, NOUNS  # noqa: E402

QUERY = """async (text) => {
  const start = performance.now();
  const found = await window.casebookSearch(text);
  await Promise.all(found.results.slice(0, 8).map(r => r.data()));
  return [performance.now() - start, found.total];
}"""


def measure(count: int, queries: int = 60, site: Path | None = None) -> dict[str, float]:
    """`site`: another build of the N=`count` library (to set two versions side by side)."""
    site = site or ROOT / "build" / "bench" / str(count) / "site-casebook"
    if not (site / "pagefind" / "pagefind.js").is_file():
        raise SystemExit(f"no site at {site}: run `python benchmarks/run.py --sizes {count}`")
    rng = random.Random(11)
    texts = [" ".join(rng.sample(NOUNS + LONG_TAIL, rng.randint(1, 3))) for _ in range(queries)]
    with serve(site, compress=True) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_function("typeof window.casebookSearch === 'function'")
        searched: list[tuple[str, int]] = []

        def count_bytes(request) -> None:
            if "/pagefind/" in request.url:
                size = request.sizes()["responseBodySize"]
                if not size:  # Chromium gives no body size for a worker's own script
                    path = site / urlparse(request.url).path.lstrip("/")
                    size = len(gzip.compress(path.read_bytes()))
                searched.append((request.url, size))

        page.on("requestfinished", count_bytes)
        # the page has loaded search.js already: count it as part of the first query
        script = len(gzip.compress((site / "assets/casebook/search.js").read_bytes()))
        page.evaluate(QUERY, texts[0])
        page.wait_for_timeout(300)  # let the last responses be counted
        first_kb = (script + sum(size for _, size in searched)) / 1e3
        files = len(searched) + 1
        page.remove_listener("requestfinished", count_bytes)
        times = sorted(page.evaluate(QUERY, text)[0] for text in texts[1:])
        browser.close()
    return {
        "first_query_kb": first_kb,
        "first_query_files": files,
        "static_query_p50_ms": statistics.median(times),
        "static_query_p95_ms": times[max(0, int(len(times) * 0.95) - 1)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    count = parser.parse_args().size
    figures = measure(count)
    print(
        f"N={count}: first query {figures['first_query_kb']:.0f} KB in "
        f"{figures['first_query_files']} files; later queries p50 "
        f"{figures['static_query_p50_ms']:.1f} ms, p95 {figures['static_query_p95_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
