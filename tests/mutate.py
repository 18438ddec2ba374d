"""Mutation testing of the core: how many small bugs would the unit tests notice?

`make mutate` runs this. mutmut (3.x) mutates the modules named below one small change at a
time and runs the unit tests that reach each mutated function; a mutant the tests still
pass is a bug they would not notice. Prints the score per module. Not part of `make test`:
it takes many minutes.

mutmut imports the code from `src/` or the project root, and this project keeps its
package in `plugins/`, so the run happens in a mirror under build/mutation whose `src/`
is a copy of plugins/ (the mirror is rebuilt each run; mutmut keeps its own results in it
between runs of unchanged code). content/ modules run in build/mutation/content with the
content tests, the rest in build/mutation/core with every unit test.

    python tests/mutate.py [module ...]   # e.g. content/validate.py site/export.py
    python tests/mutate.py --table [module ...]   # the table from the results so far
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "build" / "mutation"
# The core modules whose mistakes readers or contributors would feel first.
CORE = (
    "content/validate.py",
    "content/yaml_source.py",
    "content/load.py",
    "content/model.py",
    "content/checked_files.py",
    "site/export.py",
    "site/block_cache.py",
    "search/filters.py",
    "search/whoosh_index.py",
    "search/ranking.py",
    "search/whoosh_writer.py",
    "search/whoosh_format.py",
    "site/directories.py",
    "api.py",
    # added at the fifth stop, not yet measured (benchmarks/MUTATION.md)
    "content/two_processes.py",
    "content/term_index.py",
    "site/render_cache.py",
    "site/file_writer.py",
    "site/page_writer.py",
    "search/pagefind_cli.py",
    "search/similarity.py",
    "search/term_count_cache.py",
    # added at the sixth stop
    "site/second_renderer.py",
    # added at the seventh stop
    "site/quick_markdown.py",
)
# Unit tests only: tests that build through a subprocess or drive a browser cannot see a
# mutant (it lives in this process), so they would only add minutes.
UNIT_TESTS = (
    "tests/test_validate.py",
    "tests/test_load.py",
    "tests/test_properties.py",
    "tests/test_model.py",
    "tests/test_taxonomy.py",
    "tests/test_open_data.py",
    "tests/test_search.py",
    "tests/test_whoosh_index.py",
    "tests/test_api.py",
    "tests/test_generate.py",
    "tests/test_ranking.py",
    "tests/test_background.py",
    "tests/test_cli.py",
    "tests/test_scaffold.py",
    "tests/test_directories.py",
    "tests/test_whoosh_writer.py",
    "tests/test_block_cache.py",
    "tests/test_render_cache.py",
    "tests/test_file_writer.py",
    "tests/test_page_writer.py",
    "tests/test_similarity.py",
    "tests/test_related_reference.py",
    "tests/test_term_count_cache.py",
    "tests/test_second_renderer.py",
    "tests/test_quick_markdown.py",
)
# content/ is reached by nearly every test (each loads taxonomy.yml), so with all of
# UNIT_TESTS a mutant no test notices cost one to three minutes on the shared machine;
# its mutants face the content layer's own tests, the CLI that prints its problems and
# the related-case reasons (model.blend_related).
CONTENT_TESTS = (
    "tests/test_validate.py",
    "tests/test_load.py",
    "tests/test_properties.py",
    "tests/test_model.py",
    "tests/test_taxonomy.py",
    "tests/test_scaffold.py",
    "tests/test_cli.py",
    "tests/test_related.py",
    "tests/test_related_reference.py",
    "tests/test_checked_files.py",
    "tests/test_two_processes.py",
)


def tests_for(module: str) -> tuple[str, ...]:
    return CONTENT_TESTS if module.startswith("content/") else UNIT_TESTS


# Everything else the tests read (content, overrides, sources, mkdocs.yml ...): the whole
# project but the package (mirrored as src/), the tests (copied first) and what a run makes.
NOT_COPIED = {
    ".git",
    ".venv",
    "build",
    "node_modules",
    "plugins",
    "tests",
    "pyproject.toml",
    "__pycache__",
}
COPIED = tuple(
    sorted(
        path.name
        for path in ROOT.iterdir()
        if path.name not in NOT_COPIED and not path.name.endswith("_cache")
    )
)
STATUS = {
    0: "survived",
    1: "killed",
    3: "killed",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    24: "timeout",
    152: "timeout",
    -24: "timeout",
    # SIGKILL: the hard limit of a looping mutant's CPU time, or the kernel's OOM killer
    # (validate's _without_comments with `start = None` grew to 13.5 GB, 2026-11-26)
    -9: "timeout",
    -11: "segfault",
    37: "caught by type check",
}


# Written at the mirror's root (never into the project): mutmut maps each test to the
# functions it calls, but a call made while a module- or session-scoped fixture is set up
# counts only for the first test that asked for the fixture. The other tests using it then
# never faced those functions' mutants: test_search.py's hit and snippet tests, which read
# an index built once per module, never ran against build_schema's mutants, which they
# kill. This credits a shared fixture's calls to every test that uses it.
FIXTURE_CALLS = '''"""Shared fixtures' calls in mutmut's test map (see tests/mutate.py)."""

import pytest
from mutmut.mutation.trampoline import get_mutant_under_test

_calls_by_fixture = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if get_mutant_under_test() != "stats" or fixturedef.scope == "function":
        yield
        return
    from mutmut.state import state

    before, state()._stats = state()._stats, set()
    try:
        yield
    finally:
        calls, state()._stats = state()._stats, before
        _calls_by_fixture[fixturedef] = calls
        before |= calls


@pytest.hookimpl(tryfirst=True)  # before mutmut's own teardown hook reads and clears them
def pytest_runtest_teardown(item):
    if not _calls_by_fixture:
        return
    from mutmut.state import state

    for fixturedefs in item._fixtureinfo.name2fixturedefs.values():
        for fixturedef in fixturedefs:
            state()._stats |= _calls_by_fixture.get(fixturedef, set())
'''


def mirror(place: Path, modules: list[str], tests: tuple[str, ...]) -> None:
    """A copy of the project in which the package sits at src/casebook."""
    keep = place / "mutants"
    saved = None
    if keep.exists():  # mutmut's own results: it re-runs only what changed
        saved = place.parent / f"{place.name}-mutants"
        shutil.rmtree(saved, ignore_errors=True)
        keep.rename(saved)
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir(parents=True)
    if saved is not None:
        saved.rename(keep)
        forget_what_tests_may_change(keep)
        # mutmut copies a file into mutants/ only when it is not there yet, so a kept copy
        # (a template, a test, an unmutated module) goes stale: only the verdicts (.meta)
        # are kept, and mutmut copies and mutates the rest afresh.
        for path in keep.rglob("*"):
            if path.is_file() and not path.name.endswith(".meta"):
                path.unlink()
    # Copied with a fresh mtime: mutmut skips a source file that is older than its copy in
    # mutants/, so a module added to the list after a run had copied it unmutated would
    # never be mutated. Verdicts still carry over by each function's hash.
    shutil.copytree(
        ROOT / "plugins",
        place / "src",
        ignore=shutil.ignore_patterns("__pycache__"),
        copy_function=shutil.copy,
    )
    for name in ("tests", *COPIED):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, place / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, place / name)
    (place / "conftest.py").write_text(FIXTURE_CALLS, encoding="utf-8")
    if (ROOT / "node_modules").exists():
        (place / "node_modules").symlink_to(ROOT / "node_modules")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = [
        "",
        "[tool.mutmut]",
        'source_paths = ["src/casebook"]',
        "only_mutate = [" + ", ".join(f'"src/casebook/{m}"' for m in modules) + "]",
        "pytest_add_cli_args_test_selection = [" + ", ".join(f'"{t}"' for t in tests) + "]",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]',
        # A mutant's time limit is (its tests' measured time + this) x 15, and the measure
        # leaves out pytest's start and the fixtures: with mutmut's 1 s, a loaded machine
        # turned slow set-up into "timeout" verdicts, which count as kills.
        "timeout_constant = 10",
        # mutmut runs the tests from its own copy, which needs the files they read.
        "also_copy = [" + ", ".join(f'"{name}"' for name in (*COPIED, "conftest.py")) + "]",
        "",
    ]
    (place / "pyproject.toml").write_text(project + "\n".join(settings), encoding="utf-8")


def forget_what_tests_may_change(mutants: Path) -> None:
    """Keep only the verdicts the tests cannot have changed since the last run.

    mutmut maps tests to functions once (mutmut-stats.json) and then only for tests it has
    not seen: a module added to the list later would have no tests mapped to it, and every
    mutant in it would be "no tests". And it keeps a survivor's verdict while the
    function's code is unchanged, however the tests changed. So the map is collected
    afresh each run and survivors are tried again; kills stand (tests only grow)."""
    (mutants / "mutmut-stats.json").unlink(missing_ok=True)
    for meta in mutants.rglob("*.py.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        verdicts = data.get("exit_code_by_key", {})
        for key, code in verdicts.items():
            if STATUS.get(code) in ("survived", "no tests"):
                verdicts[key] = None
        meta.write_text(json.dumps(data, indent=4), encoding="utf-8")


def scores(place: Path, modules: list[str]) -> dict[str, Counter]:
    """Counts of each outcome per module, from mutmut's .meta files."""
    results: dict[str, Counter] = {}
    for module in modules:
        counts: Counter = Counter()
        for code in verdicts(place, [module]).values():
            counts[STATUS.get(code, "not run" if code is None else f"exit {code}")] += 1
        results[module] = counts
    return results


def verdicts(place: Path, modules: list[str]) -> dict[str, int | None]:
    """mutmut's exit code for each mutant of `modules` (None: not run yet)."""
    found: dict[str, int | None] = {}
    for module in modules:
        meta = place / "mutants" / "src" / "casebook" / (module + ".meta")
        if meta.exists():
            found.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return found


# Memory for each process of a run (mutmut and every mutant's tests). A mutant that loops
# while appending took 13.5 GB of a machine five developers share before the kernel's OOM
# killer ended it; over this limit it gets MemoryError, which fails its tests.
MEMORY_LIMIT = 4 << 30


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_mutmut(place: Path, modules: list[str], tests: tuple[str, ...]) -> int:
    """mutmut over `modules` in its own mirror; its output goes to mutmut.log there."""
    mirror(place, modules, tests)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", "2"]
    with open(place / "mutmut.log", "w", encoding="utf-8") as log:
        run = subprocess.run(
            command, cwd=place, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit_memory
        )
    # mutmut exits 1 for every failure (stats, clean run, a crash) and stops there, so
    # only 0 means each mutant was tried.
    if run.returncode != 0:
        output = (place / "mutmut.log").read_text(encoding="utf-8", errors="replace")
        print("\n".join(output.replace("\r", "\n").splitlines()[-40:]))
        print(f"mutmut failed (exit {run.returncode}); its output: {place / 'mutmut.log'}")
    return run.returncode


def main(argv: list[str]) -> int:
    table_only = argv[:1] == ["--table"]  # the table from the results so far, no run
    modules = (argv[1:] if table_only else argv) or list(CORE)
    # One mirror per test selection, so a module's score never depends on its company.
    groups: dict[tuple[str, ...], list[str]] = {}
    for module in modules:
        groups.setdefault(tests_for(module), []).append(module)
    worst, status, unrun = 100.0, 0, 0
    print(f"{'module':28} {'mutants':>8} {'killed':>7} {'survived':>9} {'not run':>8} {'score':>6}")
    for tests, group in groups.items():
        place = MIRROR / ("content" if tests == CONTENT_TESTS else "core")
        if not table_only:
            status = run_mutmut(place, group, tests) or status
        for module, counts in scores(place, group).items():
            total = sum(counts.values())
            killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
            survived = counts["survived"] + counts["no tests"]
            score = 100.0 * killed / total if total else 0.0
            worst = min(worst, score)
            unrun += counts["not run"] if total else 1  # no results at all: never run
            print(
                f"{module:28} {total:8} {killed:7} {survived:9} {counts['not run']:8} {score:5.1f}%"
            )
        print(f"survivors: cd {place} && {sys.executable} -m mutmut results")
    print(f"lowest module score: {worst:.1f}% (target: 85%)")
    if unrun:
        print(f"{unrun} mutants have no verdict: the scores above are not a measure")
    return status or (1 if unrun else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
