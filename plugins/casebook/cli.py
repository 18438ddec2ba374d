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

from .content.catalogue import load_catalogue
from .content.taxonomy import load_taxonomies
from .search.filters import KINDS, SHORT_NAMES, filter_errors
from .search.whoosh_index import IndexMissing, SearchIndex
from .site.directories import swap_directory

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
        sys.stdout.flush()  # the summary on stderr comes after the problems
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
            swap_directory(staged, live)
    shutil.rmtree(staging, ignore_errors=True)
    print(f"built {site}" + (f" and {index}" if index.exists() else ""))
    return 0


def _taxonomies(content: Path):
    taxonomies, _ = load_taxonomies(content) if content.is_dir() else ({}, [])
    return taxonomies or {}


def command_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query).strip()
    if not query:
        print("casebook search: give some words to search for", file=sys.stderr)
        return 2
    try:
        index = SearchIndex(Path(args.index))
    except IndexMissing:
        print(
            f"casebook search: no search index at {args.index}; run `make build` first",
            file=sys.stderr,
        )
        return 2
    filters: dict[str, list[str]] = {}
    for flag, taxonomy in SHORT_NAMES.items():
        for value in getattr(args, flag) or []:
            filters.setdefault(taxonomy, []).append(value)
    for item in args.filter or []:
        name, _, value = item.partition("=")
        if not value:
            print(f"casebook search: --filter takes NAME=SLUG, not {item!r}", file=sys.stderr)
            return 2
        filters.setdefault(name, []).append(value)
    errors = filter_errors(
        filters, index.facets, _taxonomies(Path(args.content)), index.values_in_use()
    )
    if errors:
        for error in errors:
            print(f"casebook search: {error}", file=sys.stderr)
        return 2
    results = index.search(query, filters, args.kind, args.limit)
    if args.json:
        print(json.dumps([hit.as_json() for hit in results.hits], ensure_ascii=False, indent=2))
    else:
        if results.note:
            print(f"({results.note})")
        if not results.hits:
            print(f"No results for {query!r}.")
        for number, hit in enumerate(results.hits, 1):
            print(f"{number}. {hit.title}  [{hit.kind.replace('_', ' ')}]  /{hit.url}")
            print(f"   {_terminal_snippet(hit.snippet)}")
    if results.corrected:
        print(
            f"Did you mean: {results.corrected}?  (casebook search {results.corrected})",
            file=sys.stderr if args.json else sys.stdout,
        )
    return 0


def _terminal_snippet(snippet: str) -> str:
    import html
    import re

    marked = re.sub(r"<mark[^>]*>(.*?)</mark>", r"*\1*", snippet)
    return html.unescape(re.sub(r"<[^>]+>", "", marked))


def command_serve(args: argparse.Namespace) -> int:
    from waitress import serve

    from .api import SearchApp

    site = Path(args.site_dir)
    if not (site / "index.html").is_file():
        print(f"casebook serve: no built site in {site}; run `make build` first", file=sys.stderr)
        return 2
    app = SearchApp(site, Path(args.index), _taxonomies(Path(args.content)))
    print(f"serving {site} and /api/search on http://{args.host}:{args.port}/")
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="casebook")
    return 0


def command_new(args: argparse.Namespace) -> int:
    import datetime as dt

    from .content.scaffold import NewCaseStudy, term_errors, write_case_study

    content = Path(args.content)
    taxonomies = _taxonomies(content)
    if not taxonomies:
        print(
            f"casebook new: no readable {content}/taxonomy.yml; run from the project root "
            "or pass --content DIR",
            file=sys.stderr,
        )
        return 2
    interactive = sys.stdin.isatty() and not args.no_input
    answers = {
        "title": args.title,
        "place": args.place,
        "themes": args.theme or [],
        "principles": args.principle or [],
        "partners": args.partner or [],
    }
    if interactive:
        answers = _ask_for_missing(answers, taxonomies)
    missing = [
        flag
        for flag, key in (
            ("--title", "title"),
            ("--place", "place"),
            ("--theme", "themes"),
            ("--principle", "principles"),
            ("--partner", "partners"),
        )
        if not answers[key]
    ]
    if missing:
        print(
            f"casebook new: give {', '.join(missing)} (or run it in a terminal to be asked)",
            file=sys.stderr,
        )
        return 2
    draft = NewCaseStudy(
        title=answers["title"].strip(),
        place=answers["place"],
        themes=answers["themes"],
        principles=answers["principles"],
        partners=answers["partners"],
        summary=args.summary or "",
        programme=args.programme,
    )
    errors = term_errors(draft, taxonomies)
    if errors:
        for error in errors:
            print(f"casebook new: {error}", file=sys.stderr)
        return 2
    try:
        path = write_case_study(draft, content, dt.date.today())
    except FileExistsError:
        print(
            f"casebook new: {content}/case_studies/{draft.slug}.md already exists; "
            "choose another title or edit that file",
            file=sys.stderr,
        )
        return 1
    print(
        f"Created {path}\n\nNext:\n"
        f"  1. Open {path} and replace every TODO line with your own words.\n"
        "  2. Run `.venv/bin/casebook check` and fix what it lists (file:line: what to do).\n"
        "  3. Run `make serve` and read your page at http://127.0.0.1:8000/case_studies/"
        f"{draft.slug}/\n"
        "  4. Open a pull request and tick the checklist (see CONTRIBUTING.md)."
    )
    return 0


def _ask_for_missing(answers: dict, taxonomies: dict) -> dict:
    def ask(prompt: str) -> str:
        try:
            return input(prompt).strip()
        except EOFError:
            return ""

    def ask_list(prompt: str) -> list[str]:
        return [item.strip() for item in ask(prompt).split(",") if item.strip()]

    def choices(name: str) -> str:
        return ", ".join(taxonomies[name].terms) if name in taxonomies else ""

    if not answers["title"]:
        answers["title"] = ask("Title: ")
    if not answers["place"]:
        answers["place"] = ask(f"Place (one of: {choices('places')}): ")
    if not answers["themes"]:
        answers["themes"] = ask_list(f"Themes, comma-separated ({choices('themes')}): ")
    if not answers["principles"]:
        answers["principles"] = ask_list(
            f"Index principles, comma-separated ({choices('principles')}): "
        )
    if len(answers["partners"]) < 2:
        answers["partners"] += ask_list("Partners (at least two), comma-separated: ")
    return answers


def command_schema(args: argparse.Namespace) -> int:
    from .content.schema import SCHEMA_FILES, schema_json

    taxonomies = _taxonomies(Path(args.content))
    if not taxonomies:
        print(f"casebook schema: no readable {args.content}/taxonomy.yml", file=sys.stderr)
        return 2
    kinds = [args.kind] if args.kind else list(SCHEMA_FILES)
    if args.output is None:
        for kind in kinds:
            sys.stdout.write(schema_json(kind, taxonomies))
        return 0
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        (output / SCHEMA_FILES[kind]).write_text(schema_json(kind, taxonomies), encoding="utf-8")
        print(f"wrote {output / SCHEMA_FILES[kind]}")
    return 0


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

    search = commands.add_parser(
        "search",
        help="search the built index",
        description="Search case studies, policy pages and guides (BM25F ranking, English "
        "stemming). Filters AND across facets and OR within one.",
        epilog='example: casebook search "peer support" --theme lived-experience --limit 5',
    )
    search.add_argument("query", nargs="+", help="words to search for")
    search.add_argument("--theme", action="append", metavar="SLUG", help="a theme (repeatable)")
    search.add_argument(
        "--principle", action="append", metavar="SLUG", help="an Index principle (repeatable)"
    )
    search.add_argument("--place", action="append", metavar="SLUG", help="a place")
    search.add_argument("--programme", action="append", metavar="SLUG", help="a programme")
    search.add_argument("--partner", action="append", metavar="SLUG", help="a partner")
    search.add_argument(
        "--filter",
        action="append",
        metavar="NAME=SLUG",
        help="any other taxonomy, e.g. focus=people-with-learning-disabilities",
    )
    search.add_argument("--kind", choices=KINDS, help="only this kind of page")
    search.add_argument("--limit", type=_limit, default=10, help="results to show (1-50)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    _add_index_arguments(search)
    search.set_defaults(handler=command_search)

    new = commands.add_parser(
        "new",
        help="start a case study from the template",
        description="Create content/case_studies/<slug>.md (slug from the title) with valid "
        "front matter and the section headings. Asks for what is missing when run in a "
        "terminal; never overwrites a file.",
        epilog='example: casebook new --title "Inverclyde Connections" --place inverclyde '
        "--theme collaborative-working --principle citizen-agency --partner KEY "
        '--partner "Turning Point Scotland"',
    )
    new.add_argument("--title", help="the case study's name")
    new.add_argument("--summary", help="one or two sentences (at most 300 characters)")
    new.add_argument("--place", metavar="SLUG", help="a council area, or scotland")
    new.add_argument("--theme", action="append", metavar="SLUG", help="a theme (repeatable)")
    new.add_argument(
        "--principle", action="append", metavar="SLUG", help="an Index principle (repeatable)"
    )
    new.add_argument(
        "--partner",
        action="append",
        metavar="NAME",
        help="a partner organisation (repeat; at least two)",
    )
    new.add_argument("--programme", metavar="SLUG", help="a programme (optional)")
    new.add_argument("--content", default=str(DEFAULT_CONTENT), metavar="DIR")
    new.add_argument("--no-input", action="store_true", help="never prompt")
    new.set_defaults(handler=command_new)

    schema = commands.add_parser(
        "schema",
        help="print or write the JSON Schema for front matter",
        description="Generate JSON Schema (draft-07, which editors support) for case-study "
        "and policy-page front matter from the validation rules and taxonomy.yml.",
        epilog="example: casebook schema --output schemas",
    )
    schema.add_argument("--kind", choices=["case_study", "policy"])
    schema.add_argument("--output", metavar="DIR", help="write files here instead of printing")
    schema.add_argument("--content", default=str(DEFAULT_CONTENT), metavar="DIR")
    schema.set_defaults(handler=command_schema)

    serve = commands.add_parser(
        "serve",
        help="serve the built site and the search API",
        description="Serve build/site and GET /api/search with waitress, a production WSGI "
        "server. For authoring with live reload, use `make serve`.",
        epilog="example: casebook serve --port 8080",
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument("--site-dir", default="build/site", help="the built site")
    _add_index_arguments(serve)
    serve.set_defaults(handler=command_serve)
    return parser


def _add_index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        default="build/search_index",
        metavar="DIR",
        help="the index directory (default: build/search_index)",
    )
    parser.add_argument(
        "--content",
        default=str(DEFAULT_CONTENT),
        metavar="DIR",
        help="the content directory, for taxonomy names (default: content)",
    )


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 50:
        raise argparse.ArgumentTypeError("give a whole number from 1 to 50")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
