"""Catalogue filtering speed in a real browser at N case studies (issue target: each
interaction <= 50 ms at 1,000). Needs a site built by run.py (build/bench/N/site-casebook)
and Debian's Chromium. Prints per-interaction times: the filter's own work plus the style
and layout it causes, measured in the page with performance.now()."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import os
import statistics
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Click a checkbox (the change handler filters synchronously), then force style and
# layout so the time includes showing and hiding the cards. A disabled box (one that would
# show nothing) cannot be clicked: it is not counted, rather than counted as 0 ms.
CLICK = """(selector) => {
  const box = document.querySelector(selector);
  if (box.disabled) return null;
  const start = performance.now();
  box.click();
  document.body.getBoundingClientRect();
  void document.getElementById('cb-cards').offsetHeight;
  return performance.now() - start;
}"""
# Change a select (sort order, or a facet's any/all) the same way.
SELECT = """([selector, value]) => {
  const select = document.querySelector(selector);
  select.value = value;
  const start = performance.now();
  select.dispatchEvent(new Event('change', {bubbles: true}));
  void document.getElementById('cb-cards').offsetHeight;
  return performance.now() - start;
}"""
TYPE = """(text) => {
  const input = document.getElementById('cb-text');
  input.value = text;
  const start = performance.now();
  input.dispatchEvent(new Event('change', {bubbles: true}));
  void document.getElementById('cb-cards').offsetHeight;
  return performance.now() - start;
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class CompressingHandler(QuietHandler):
    """Gzips text files for a client that accepts it, as GitHub Pages does (Pagefind's
    index files are compressed already and are sent as they are)."""

    TEXT = (".html", ".js", ".css", ".json", ".xml")

    def send_head(self):
        path = self.translate_path(self.path)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.endswith(self.TEXT) and os.path.isfile(path)):
            return super().send_head()
        with open(path, "rb") as file:
            body = gzip.compress(file.read())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(site: Path, compress: bool = False):
    """`site` on a plain static file server on loopback; yields its URL."""
    handler = functools.partial(
        CompressingHandler if compress else QuietHandler, directory=str(site)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def measure(count: int) -> list[float]:
    site = ROOT / "build" / "bench" / str(count) / "site-casebook"
    if not (site / "case_studies/index.html").is_file():
        raise SystemExit(f"no site at {site}: run `python benchmarks/run.py --sizes {count}`")
    times: list[float] = []
    with serve(site) as url:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "case_studies/")
            page.wait_for_selector("#cb-tools:not([hidden])", state="attached")
            page.evaluate(
                "document.querySelectorAll('details.cb-facet').forEach(d => d.open = true)"
            )
            boxes = page.eval_on_selector_all(
                "#cb-filters input[type=checkbox]", "boxes => boxes.map(b => b.id)"
            )
            for box in boxes[:12] * 2:  # tick, then untick
                times.append(page.evaluate(CLICK, f"#{box}"))
            for selector, value in [
                ("#cb-sort", "newest"),
                ("#cb-sort", "started"),
                ("#cb-sort", "title"),
                ("#cb-themes-op", "all"),
                ("#cb-themes-op", "any"),
            ]:
                times.append(page.evaluate(SELECT, [selector, value]))
            for text in ["care", "care support", "north", ""]:
                times.append(page.evaluate(TYPE, text))
            times = [t for t in times if t is not None]
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    count = parser.parse_args().size
    times = sorted(measure(count))
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"N={count}: {len(times)} interactions, median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target <= 50 ms each)"
    )


if __name__ == "__main__":
    main()
