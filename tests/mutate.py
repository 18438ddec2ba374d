"""Mutation testing of the core: how many small bugs would the unit tests notice?

`make mutate` runs this. mutmut (3.x) mutates the modules named below one small change at a
time and runs the unit tests that reach each mutated function; a mutant the tests still
pass is a bug they would not notice. Prints the score per module. Not part of `make test`:
it takes many minutes.

mutmut imports the code from `src/` or the project root, and this project keeps its
package in `plugins/`, so the run happens in a mirror under build/mutation whose `src/`
is a copy of plugins/ (the mirror is rebuilt each run; mutmut keeps its own results in it
between runs of unchanged code).

    python tests/mutate.py [module ...]   # e.g. content/validate.py site/export.py
    python tests/mutate.py --table [module ...]   # the table from the results so far
"""

from __future__ import annotations

import json
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
    "site/export.py",
    "search/filters.py",
    "search/whoosh_index.py",
    "site/directories.py",
    "api.py",
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
    "tests/test_api.py",
    "tests/test_generate.py",
    "tests/test_background.py",
    "tests/test_cli.py",
    "tests/test_scaffold.py",
    "tests/test_directories.py",
)
COPIED = (
    "content",
    "overrides",
    "schemas",
    ".github",
    ".ci",
    "mkdocs.yml",
    "README.md",
    "CONTRIBUTING.md",
    ".remarkrc.mjs",
    "package.json",
    "Makefile",
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
    -11: "segfault",
    37: "caught by type check",
}


def mirror(modules: list[str]) -> None:
    """A copy of the project in which the package sits at src/casebook."""
    keep = MIRROR / "mutants"
    saved = None
    if keep.exists():  # mutmut's own results: it re-runs only what changed
        saved = MIRROR.parent / "mutation-mutants"
        shutil.rmtree(saved, ignore_errors=True)
        keep.rename(saved)
    shutil.rmtree(MIRROR, ignore_errors=True)
    MIRROR.mkdir(parents=True)
    if saved is not None:
        saved.rename(keep)
        forget_what_tests_may_change(keep)
    # Copied with a fresh mtime: mutmut skips a source file that is older than its copy in
    # mutants/, so a module added to the list after a run had copied it unmutated would
    # never be mutated. Verdicts still carry over by each function's hash.
    shutil.copytree(
        ROOT / "plugins",
        MIRROR / "src",
        ignore=shutil.ignore_patterns("__pycache__"),
        copy_function=shutil.copy,
    )
    for name in ("tests", *COPIED):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, MIRROR / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, MIRROR / name)
    if (ROOT / "node_modules").exists():
        (MIRROR / "node_modules").symlink_to(ROOT / "node_modules")
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = [
        "",
        "[tool.mutmut]",
        'source_paths = ["src/casebook"]',
        "only_mutate = [" + ", ".join(f'"src/casebook/{m}"' for m in modules) + "]",
        "pytest_add_cli_args_test_selection = [" + ", ".join(f'"{t}"' for t in UNIT_TESTS) + "]",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]',
        # mutmut runs the tests from its own copy, which needs the files they read.
        "also_copy = [" + ", ".join(f'"{name}"' for name in COPIED) + "]",
        "",
    ]
    (MIRROR / "pyproject.toml").write_text(project + "\n".join(settings), encoding="utf-8")


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


def scores(modules: list[str]) -> dict[str, Counter]:
    """Counts of each outcome per module, from mutmut's .meta files."""
    results: dict[str, Counter] = {}
    for module in modules:
        meta = MIRROR / "mutants" / "src" / "casebook" / (module + ".meta")
        counts: Counter = Counter()
        if meta.exists():
            data = json.loads(meta.read_text(encoding="utf-8"))
            for code in data.get("exit_code_by_key", {}).values():
                counts[STATUS.get(code, "not run" if code is None else f"exit {code}")] += 1
        results[module] = counts
    return results


def main(argv: list[str]) -> int:
    if argv[:1] == ["--table"]:  # the table from the mirror's results so far, no run
        return print_table(argv[1:] or list(CORE))
    modules = argv or list(CORE)
    mirror(modules)
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", "2"]
    log = MIRROR / "mutmut.log"
    with log.open("w", encoding="utf-8") as output:
        run = subprocess.run(command, cwd=MIRROR, stdout=output, stderr=subprocess.STDOUT)
    # mutmut exits 1 when a step before the mutants fails (collecting which tests reach
    # which function, the clean run, the forced failure): the mutants of every function it
    # had not measured before are then left with no result. That is a failed run, not a score.
    if run.returncode != 0:
        lines = log.read_text(encoding="utf-8", errors="replace").replace("\r", "\n").splitlines()
        print("\n".join(line for line in lines[-40:] if line.strip()))
        print(f"mutmut failed (exit {run.returncode}); its output is in {log}")
        return run.returncode or 1
    return print_table(modules)


def print_table(modules: list[str]) -> int:
    """Each module's counts and score (killed / all mutants); 1 if any mutant has no result."""
    worst = 100.0
    not_run = 0
    header = f"{'module':28} {'mutants':>8} {'killed':>7} {'survived':>9} {'not run':>8}"
    header += f" {'other':>6}"
    print(header + f" {'score':>6}")
    for module, counts in scores(modules).items():
        total = sum(counts.values())
        killed = counts["killed"] + counts["timeout"] + counts["caught by type check"]
        survived = counts["survived"] + counts["no tests"]
        score = 100.0 * killed / total if total else 0.0
        worst = min(worst, score)
        other = total - killed - survived - counts["not run"]
        not_run += counts["not run"]
        row = f"{module:28} {total:8} {killed:7} {survived:9} {counts['not run']:8} {other:6}"
        print(row + f" {score:5.1f}%")
    print(f"lowest module score: {worst:.1f}% (target: 85%)")
    print(f"survivors: cd {MIRROR} && {sys.executable} -m mutmut results")
    if not_run:
        print(f"{not_run} mutants have no result: the run did not finish ({MIRROR / 'mutmut.log'})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
