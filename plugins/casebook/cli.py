"""`casebook` command line: thin commands over the same core the plugin uses."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .catalogue import load_catalogue

DEFAULT_CONTENT = Path("content")


def command_check(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        print(
            f"casebook check: no content directory at {content}; "
            "run from the project root or pass --content DIR",
            file=sys.stderr,
        )
        return 2
    catalogue, problems = load_catalogue(content)
    if args.json:
        print(
            json.dumps(
                [{"path": p.path, "line": p.line, "message": p.message} for p in problems], indent=2
            )
        )
    else:
        for problem in problems:
            print(problem)
    if problems:
        files = len({p.path for p in problems})
        print(
            f"{len(problems)} problem{'s' * (len(problems) != 1)} in "
            f"{files} file{'s' * (files != 1)}",
            file=sys.stderr,
        )
        return 1
    if not args.json:
        print(
            f"ok: {len(catalogue.case_studies)} case studies, {len(catalogue.policies)} "
            f"policy pages and {len(catalogue.pages)} other pages checked, no problems"
        )
    return 0


def command_build(args: argparse.Namespace) -> int:
    """Build into a temporary directory and swap it in only when the build succeeds, so a
    failed build leaves the previous site and search index exactly as they were."""
    site = Path(args.site_dir)
    index = Path(args.index_dir)
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = site.parent / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    staged_site, staged_index = staging / "site", staging / "search_index"
    if index.is_dir():  # start from the current index so only changed pages are re-indexed
        shutil.copytree(index, staged_index)
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--config-file",
        args.config,
        "--site-dir",
        str(staged_site),
    ]
    if args.strict:
        command.append("--strict")
    environment = dict(os.environ, CASEBOOK_SEARCH_INDEX_DIR=str(staged_index.resolve()))
    result = subprocess.run(command, env=environment)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        kept = f"; the previous site in {site} is unchanged" if site.exists() else ""
        print(f"casebook build: the build failed (see the messages above){kept}", file=sys.stderr)
        return 1
    for staged, live in ((staged_site, site), (staged_index, index)):
        if staged.exists():
            _swap(staged, live)
    shutil.rmtree(staging, ignore_errors=True)
    print(f"built {site}" + (f" and {index}" if index.exists() else ""))
    return 0


def _swap(staged: Path, live: Path) -> None:
    retired = live.with_name(f".{live.name}-retired-{os.getpid()}")
    if live.exists():
        live.rename(retired)
    staged.rename(live)
    shutil.rmtree(retired, ignore_errors=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Check, search and preview the Casebook knowledge base.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate every case study, policy page and taxonomy",
        description="Validate the whole content tree. Prints one 'path:line: message' per "
        "problem and exits 1, or a one-line summary and exits 0.",
        epilog="example: casebook check --content content",
    )
    check.add_argument(
        "--content",
        default=str(DEFAULT_CONTENT),
        metavar="DIR",
        help="the content directory (default: content)",
    )
    check.add_argument("--json", action="store_true", help="print problems as JSON")
    check.set_defaults(handler=command_check)

    build = commands.add_parser(
        "build",
        help="build the site, keeping the previous one if the build fails",
        description="Run `mkdocs build --strict` into a staging directory and swap the site "
        "and search index in only on success.",
        epilog="example: casebook build --site-dir build/site",
    )
    build.add_argument("--config", default="mkdocs.yml", help="the MkDocs configuration file")
    build.add_argument("--site-dir", default="build/site", help="where the site goes")
    build.add_argument(
        "--index-dir", default="build/search_index", help="where the search index goes"
    )
    build.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="build even when the content has problems",
    )
    build.set_defaults(handler=command_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
