"""Benchmarks: casebook's cost beside plain Material, at several library sizes.

For each N it generates a deterministic content tree, then measures (each build in its own
process, wall time and that process tree's peak RSS):
  plain Material build; casebook cold build (empty site and index); an edit to one case
  study, then a casebook warm rebuild and a plain Material rebuild; Whoosh full and
  incremental indexing; query p50/p95; the catalogue's data and the full JSON export;
  Material's in-browser search
  index size; pages and site size. Beside plain Material it also times the Pagefind CLI on
  plain Material's output (the static search a user would assemble by hand), and measures
  casebook's own static index: its build time, the bytes a reader's first query fetches and
  later queries' times in Chromium (browser_search.py). Prints a table and writes
  benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import LONG_TAIL, NOUNS, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "bench"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

# The child's peak RSS: getrusage(RUSAGE_CHILDREN) in a wrapper process that runs only
# that one child, so the figure is per build (and needs nothing beyond Python).
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
    " stderr=subprocess.PIPE).returncode\n"
    "elapsed = time.perf_counter() - start\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
)


def config(tree: Path, name: str, casebook: bool) -> Path:
    plugins = "  - search\n"
    if casebook:
        plugins += f"  - casebook:\n      search_index_dir: {tree.parent / 'index'}\n"
    path = tree.parent / f"{name}.yml"
    path.write_text(
        f"site_name: Benchmark\nsite_url: http://127.0.0.1:8000/\ndocs_dir: {tree}\n"
        f"site_dir: {tree.parent / ('site-' + name)}\n"
        "theme: {name: material, font: false}\n"
        f"plugins:\n{plugins}"
        "markdown_extensions: [attr_list, md_in_html, def_list, admonition, toc]\n"
        "exclude_docs: taxonomy.yml\n"
        # Case studies stay out of the nav in both: the nav is rendered into every page.
        "nav:\n  - Home: index.md\n",
        encoding="utf-8",
    )
    return path


class Run(NamedTuple):
    seconds: float  # wall time
    peak_mb: float  # the largest single process of its tree
    cpu_s: float  # user + system time of its whole tree (background process, Pagefind)


def timed_build(config_path: Path) -> Run:
    """One `mkdocs build`; fails loudly if the build fails."""
    return timed([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config_path)])


def timed(command: list[str]) -> Run:
    """One command in its own process; fails loudly if it fails."""
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    wrapped = [sys.executable, "-c", MEASURE, *command]
    result = subprocess.run(wrapped, capture_output=True, text=True, env=environment)
    code, elapsed, peak, cpu = result.stdout.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr}")
    return Run(float(elapsed), int(peak) / 1024, float(cpu))


def pagefind_cli(site: Path) -> Run:
    """The Pagefind CLI (from the pagefind-bin wheel) indexing a built site."""
    return timed([sys.executable, "-m", "pagefind_bin", "--site", str(site)])


def static_index_seconds(tree: Path, out: Path) -> float:
    """Casebook's static (Pagefind) index of the library on its own, from its documents."""
    from casebook.content.catalogue import load_catalogue
    from casebook.search.static_index import write_bundle
    from casebook.search.whoosh_index import documents_vocabulary, search_documents

    catalogue, _ = load_catalogue(tree)
    documents = search_documents(catalogue)
    start = time.perf_counter()
    write_bundle(documents, out, documents_vocabulary(documents))
    return time.perf_counter() - start


def edit_one(tree: Path) -> None:
    target = sorted((tree / "case_studies").glob("*.md"))[
        len(list((tree / "case_studies").glob("*.md"))) // 2
    ]
    target.write_text(
        target.read_text(encoding="utf-8") + "\nOne more sentence, edited.\n", encoding="utf-8"
    )


def site_stats(site: Path) -> tuple[int, float]:
    pages = sum(1 for _ in site.rglob("*.html"))
    size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    return pages, size / 1e6


def whoosh_figures(tree: Path, index_dir: Path) -> dict[str, float]:
    from casebook.content.catalogue import load_catalogue
    from casebook.mkdocs_plugin import CHECK_CACHE, CHECKED_FILE
    from casebook.search.whoosh_index import SearchIndex, search_documents, update_index
    from casebook.site.render_cache import RenderCache

    checked = index_dir.parent / f"whoosh-{CHECKED_FILE}"

    def read_library():  # as a build reads it: each unchanged file's check kept
        store = RenderCache(checked, "checked-files", **CHECK_CACHE)
        found = load_catalogue(tree, cache=store)
        store.save()
        return found

    shutil.rmtree(index_dir, ignore_errors=True)
    checked.unlink(missing_ok=True)
    catalogue, _ = read_library()
    documents = search_documents(catalogue)
    start = time.perf_counter()
    update_index(index_dir, documents, catalogue.taxonomies)
    full = time.perf_counter() - start
    edit_one(tree)
    start = time.perf_counter()
    catalogue, _ = read_library()
    report = update_index(index_dir, search_documents(catalogue), catalogue.taxonomies)
    incremental = time.perf_counter() - start
    assert report.changed == 1 and report.added == 0, report
    index = SearchIndex(index_dir)
    rng = random.Random(7)
    # what readers type: one to three words, common and topical alike
    queries = [" ".join(rng.sample(NOUNS + LONG_TAIL, rng.randint(1, 3))) for _ in range(200)]
    for query in queries[:20]:
        index.search(query)  # warm the caches as a running server would be
    times = []
    for query in queries:
        start = time.perf_counter()
        index.search(query, limit=10)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "index_full_s": full,
        "index_incremental_s": incremental,
        "query_p50_ms": statistics.median(times),
        "query_p95_ms": times[int(len(times) * 0.95) - 1],
    }


def record(runs: dict, cpu: dict, key: str, run: Run) -> None:
    runs[key].append(run.seconds)
    cpu[key].append(run.cpu_s)


def run_size(count: int, repeat: int = 1) -> dict[str, float]:
    """Builds interleaved (plain, casebook cold, edit, casebook warm, plain after the edit),
    `repeat` times; times are medians, so one slow moment of a shared machine does not
    decide a ratio. The runs are kept in the row for RESULTS.md."""
    base = WORK / str(count)
    shutil.rmtree(base, ignore_errors=True)
    tree = generate(count, base / "content")
    plain = config(tree, "plain", casebook=False)
    casebook = config(tree, "casebook", casebook=True)
    runs: dict[str, list[float]] = {
        "plain": [],
        "plain_pagefind": [],
        "cold": [],
        "warm": [],
        "plain_warm": [],
    }
    peaks: dict[str, list[float]] = {"plain": [], "cold": [], "warm": []}
    cpu: dict[str, list[float]] = {key: [] for key in runs}
    for _ in range(repeat):
        for leftover in ("site-plain", "site-casebook", "index", "build"):
            shutil.rmtree(base / leftover, ignore_errors=True)  # cold: nothing kept
        plain_run = timed_build(plain)
        record(runs, cpu, "plain", plain_run)
        peaks["plain"].append(plain_run.peak_mb)
        # what a user would assemble: plain Material, then the Pagefind CLI on its output
        indexed = pagefind_cli(base / "site-plain")
        record(
            runs,
            cpu,
            "plain_pagefind",
            plain_run._replace(
                seconds=plain_run.seconds + indexed.seconds, cpu_s=plain_run.cpu_s + indexed.cpu_s
            ),
        )
        cold = timed_build(casebook)
        record(runs, cpu, "cold", cold)
        peaks["cold"].append(cold.peak_mb)
        edit_one(tree)
        warm = timed_build(casebook)
        record(runs, cpu, "warm", warm)
        peaks["warm"].append(warm.peak_mb)
        record(runs, cpu, "plain_warm", timed_build(plain))
    row: dict[str, float] = {"n": count}
    for key, values in runs.items():
        row[f"{key}_s"] = statistics.median(values)
        row[f"{key}_cpu_s"] = statistics.median(cpu[key])
    row["plain_mb"] = max(peaks["plain"])
    row["cold_mb"] = max(peaks["cold"] + peaks["warm"])
    row["runs"] = {key: [round(v, 2) for v in values] for key, values in runs.items()}
    row["cpu"] = {key: [round(v, 2) for v in values] for key, values in cpu.items()}
    site = base / "site-casebook"
    row["json_kb"] = (site / "data/case_studies.json").stat().st_size / 1e3
    row["catalogue_kb"] = (site / "data/catalogue.json").stat().st_size / 1e3
    row["browser_index_kb"] = (site / "search/search_index.json").stat().st_size / 1e3
    row["plain_browser_index_kb"] = (
        base / "site-plain/search/search_index.json"
    ).stat().st_size / 1e3
    row["pages"], row["site_mb"] = site_stats(site)
    row["plain_pages"], row["plain_site_mb"] = site_stats(base / "site-plain")
    row["static_index_s"] = static_index_seconds(tree, base / "static-index")
    row["static_index_kb"] = (
        sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()) / 1e3
    )
    if Path("/usr/bin/chromium").exists():
        from browser_search import measure  # needs Playwright and Debian's Chromium

        row.update(measure(count))
    row.update(whoosh_figures(tree, base / "whoosh"))
    return row


COLUMNS = [
    ("n", "N", "{:.0f}"),
    ("plain_s", "plain s", "{:.1f}"),
    ("plain_pagefind_s", "plain + Pagefind CLI s", "{:.1f}"),
    ("cold_s", "casebook cold s", "{:.1f}"),
    ("plain_warm_s", "plain after edit s", "{:.1f}"),
    ("warm_s", "casebook warm s", "{:.1f}"),
    ("plain_pagefind_cpu_s", "plain + Pagefind CLI CPU s", "{:.1f}"),
    ("cold_cpu_s", "casebook cold CPU s", "{:.1f}"),
    ("plain_warm_cpu_s", "plain after edit CPU s", "{:.1f}"),
    ("warm_cpu_s", "casebook warm CPU s", "{:.1f}"),
    ("plain_mb", "plain peak MB", "{:.0f}"),
    ("cold_mb", "casebook peak MB", "{:.0f}"),
    ("index_full_s", "Whoosh full s", "{:.2f}"),
    ("index_incremental_s", "Whoosh 1 edit s", "{:.2f}"),
    ("query_p50_ms", "query p50 ms", "{:.1f}"),
    ("query_p95_ms", "query p95 ms", "{:.1f}"),
    ("static_index_s", "static index s", "{:.2f}"),
    ("static_index_kb", "static index KB", "{:.0f}"),
    ("first_query_kb", "first query KB", "{:.0f}"),
    ("static_query_p50_ms", "browser query p50 ms", "{:.1f}"),
    ("static_query_p95_ms", "browser query p95 ms", "{:.1f}"),
    ("json_kb", "export JSON KB", "{:.0f}"),
    ("catalogue_kb", "catalogue data KB", "{:.0f}"),
    ("browser_index_kb", "browser index KB", "{:.0f}"),
    ("plain_browser_index_kb", "plain browser index KB", "{:.0f}"),
    ("pages", "pages", "{:.0f}"),
    ("plain_pages", "plain pages", "{:.0f}"),
    ("site_mb", "site MB", "{:.1f}"),
    ("plain_site_mb", "plain site MB", "{:.1f}"),
]


def table(rows: list[dict[str, float]]) -> str:
    lines = [
        "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(fmt.format(row[key]) if key in row else "-" for key, _, fmt in COLUMNS)
            + " |"
        )
    return "\n".join(lines)


def targets(rows: list[dict[str, float]]) -> list[str]:
    by_n = {int(row["n"]): row for row in rows}
    checks = []

    def check(label: str, value: float, limit: float, unit: str = "") -> None:
        verdict = "PASS" if value <= limit else "FAIL"
        checks.append(f"- {verdict}: {label}: {value:.2f}{unit} (target <= {limit}{unit})")

    if 1000 in by_n:
        row = by_n[1000]
        check(
            "cold casebook build / plain Material, N=1000", row["cold_s"] / row["plain_s"], 1.3, "x"
        )
        check(
            "warm casebook rebuild / plain Material rebuild, N=1000",
            row["warm_s"] / row["plain_warm_s"],
            1.1,
            "x",
        )
        check(
            "cold casebook build / (plain Material + Pagefind CLI), N=1000",
            row["cold_s"] / row["plain_pagefind_s"],
            1.0,
            "x",
        )
        check(
            "warm casebook rebuild / plain Material rebuild (static index), N=1000",
            row["warm_s"] / row["plain_warm_s"],
            0.7,
            "x",
        )
        if "first_query_kb" in row:
            check("bytes of a first static query, N=1000", row["first_query_kb"], 300, " KB")
            check("static query p95 in Chromium, N=1000", row["static_query_p95_ms"], 100, " ms")
        check("Whoosh update after one edit, N=1000", row["index_incremental_s"], 1.0, " s")
        check("query p95, N=1000", row["query_p95_ms"], 15, " ms")
        check(
            "JSON the catalogue page loads (data/catalogue.json), N=1000",
            row["catalogue_kb"],
            400,
            " KB",
        )
    if 1000 in by_n and 5000 in by_n:
        check(
            "casebook build N=5000 / N=1000", by_n[5000]["cold_s"] / by_n[1000]["cold_s"], 5.5, "x"
        )
    if 5000 in by_n:
        check("peak memory, casebook build N=5000", by_n[5000]["cold_mb"], 1024, " MB")
        if "first_query_kb" in by_n[5000]:
            check("bytes of a first static query, N=5000", by_n[5000]["first_query_kb"], 500, " KB")
    return checks


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return (
        f"{os.cpu_count()} cores, {cpu}, {int(memory) / 1024 / 1024:.0f} GiB memory, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="100,1000,5000",
        help="comma-separated library sizes (default: 100,1000,5000)",
    )
    parser.add_argument("--quick", action="store_true", help="N=100 only")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="builds per size up to N=1000, medians reported (larger N: one fewer)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    arguments = parser.parse_args()
    sizes = [100] if arguments.quick else [int(s) for s in arguments.sizes.split(",")]
    rows = []
    for count in sizes:
        print(f"N={count} ...", flush=True)
        repeat = arguments.repeat if count <= 1000 else max(1, arguments.repeat - 1)
        rows.append(run_size(count, repeat))
        print(json.dumps(rows[-1]), flush=True)
    report = table(rows)
    checks = targets(rows)
    if 1000 in sizes and Path("/usr/bin/chromium").exists():
        from browser_filter import measure  # needs Playwright and Debian's Chromium

        times = sorted(measure(1000))
        slowest = times[-1]
        verdict = "PASS" if slowest <= 50 else "FAIL"
        checks.append(
            f"- {verdict}: slowest catalogue filter interaction in Chromium, N=1000: "
            f"{slowest:.1f} ms (median {statistics.median(times):.1f} ms over "
            f"{len(times)}; target <= 50 ms each)"
        )
    runs = "\n".join(
        f"- N={int(row['n'])}, {measure}: "
        + "; ".join(f"{key} {values}" for key, values in row[name].items())
        for row in rows
        for name, measure in (("runs", "wall s"), ("cpu", "CPU s of the process tree"))
    )
    print(report)
    print("\n".join(checks))
    print(runs)
    if not arguments.no_write:
        RESULTS.write_text(
            f"# Benchmark results\n\nRun {dt.date.today().isoformat()} with `make bench` on: "
            f"{machine()}.\n\n{report}\n\n## Targets\n\n" + "\n".join(checks) + "\n\n"
            "## Every build (the table gives medians)\n\n" + runs + "\n",
            encoding="utf-8",
        )
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
