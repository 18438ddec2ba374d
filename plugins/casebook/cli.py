"""`casebook` command line: thin commands over the same core the plugin uses.

Over 250 lines because each subcommand's argparse definition, with its help and an
example, sits beside its few lines of handler; the work is all in the core.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .content.catalogue import load_catalogue
from .content.problems import ERROR
from .content.taxonomy import load_taxonomies
from .search.filters import KINDS, SHORT_NAMES, filter_errors
from .search.whoosh_index import IndexDamaged, IndexMissing, SearchIndex, index_damage
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
    if args.strict:  # every warning counts as an error
        problems = [replace(p, severity=ERROR) for p in problems]
    errors = [p for p in problems if p.is_error]
    output = "json" if args.json else args.format
    if output == "json":
        print(json.dumps([p.as_json() for p in problems], indent=2))
    elif output == "github":
        for problem in problems:
            print(problem.as_github_annotation())
    else:
        for problem in problems:
            print(problem)
    sys.stdout.flush()  # the summary on stderr comes after the problems
    warnings = len(problems) - len(errors)
    also = f" and {_count(warnings, 'warning')}" if warnings else ""
    if errors:
        files = len({p.path for p in errors})
        print(
            f"{_count(len(errors), 'problem')} in {_count(files, 'file')}{also}"
            + ("" if args.strict else "; `casebook check --strict` also fails on warnings"),
            file=sys.stderr,
        )
        return 1
    if output == "text":
        print(
            f"ok: {_count(len(catalogue.case_studies), 'case study', 'case studies')}, "
            f"{_count(len(catalogue.policies), 'policy page')} and "
            f"{_count(len(catalogue.pages), 'other page')} checked, "
            + (f"no errors{also}" if warnings else "no problems")
        )
    return 0


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def command_build(args: argparse.Namespace) -> int:
    """Build into a staging directory and publish it only when the build succeeds, so a
    failed or killed build leaves the previous site and search index exactly as they
    were; the next build clears what a killed one left behind."""
    site, index = Path(args.site_dir), Path(args.index_dir)
    try:
        site.parent.mkdir(parents=True, exist_ok=True)
        lock = take_build_lock(site.parent)
    except OSError as error:
        return _disk_error(error, site)
    if lock is None:
        print(
            f"casebook build: another build is running in {site.parent}; "
            "wait for it to finish, or stop it, and run again",
            file=sys.stderr,
        )
        return 1
    staging = site.parent / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        return _build(args, site, index, staging)
    except OSError as error:
        return _disk_error(error, site)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.close()


STAGING_PREFIX = ".staging-"


def take_build_lock(build_dir: Path):
    """An exclusive lock on `build_dir`, or None if another build holds it. The kernel
    drops it when its process dies, however it dies, so no stale lock can block a build."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): builds are not serialised
        return open(os.devnull, "rb")
    lock = open(build_dir / ".build.lock", "a+b")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


def _build(args: argparse.Namespace, site: Path, index: Path, staging: Path) -> int:
    from .background import die_with_parent
    from .site.directories import PREVIOUS_SITE_VARIABLE, remove_dead_staging, remove_retired

    # Under the lock no other build runs: any staging area is a killed build's.
    for leftover in site.parent.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for live in (site, index):
        remove_retired(live)
        remove_dead_staging(live.parent, f".{live.name}.staging-")
    staging.mkdir()
    staged_site, staged_index = staging / "site", staging / "search_index"
    if index.is_dir():  # start from the current index so only changed pages are re-indexed
        damage = index_damage(index)
        if damage is None:
            shutil.copytree(index, staged_index)
        else:  # not copied: the build makes a new one
            print(
                f"WARNING -  casebook: the search index {index} is damaged ({damage}); "
                "rebuilding it",
                file=sys.stderr,
            )
    command = [
        sys.executable,
        "-m",
        "properdocs",  # MkDocs' maintained continuation; `mkdocs build` works as well
        "build",
        "--config-file",
        args.config,
        "--site-dir",
        str(staged_site),
    ]
    if args.strict:
        command.append("--strict")
    environment = dict(os.environ, CASEBOOK_SEARCH_INDEX_DIR=str(staged_index.resolve()))
    environment.pop(PREVIOUS_SITE_VARIABLE, None)
    if site.is_dir():  # the live generation: unchanged files are linked from it, never written
        environment[PREVIOUS_SITE_VARIABLE] = os.path.realpath(site)
    parent = os.getpid()
    with subprocess.Popen(
        command,
        env=environment,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: die_with_parent(parent),  # no orphan if this process is killed
    ) as process:
        stopped_with = _pass_stderr(process.stderr, show_tracebacks=args.traceback)
    returncode = process.returncode
    if stopped_with:
        found = re.search(r"\[Errno (\d+)\]", stopped_with)
        advice = _DISK_ADVICE.get(int(found[1])) if found else None
        print(
            f"casebook build: mkdocs stopped with {stopped_with}"
            + (f"; {advice} and run again" if advice else ""),
            file=sys.stderr,
        )
    if returncode != 0:
        kept = f"; the previous site in {site} is unchanged" if site.exists() else ""
        hint = "" if args.traceback or not stopped_with else " (--traceback shows where)"
        print(
            f"casebook build: the build failed (see the messages above){kept}{hint}",
            file=sys.stderr,
        )
        return 1
    for staged, live in ((staged_site, site), (staged_index, index)):
        if staged.exists():
            swap_directory(staged, live)
    print(f"built {site}" + (f" and {index}" if index.exists() else ""))
    return 0


def _pass_stderr(stream, show_tracebacks: bool) -> str | None:
    """Copy a build's messages to stderr, holding back Python tracebacks (a contributor
    gets one line, not a traceback); returns the last exception's line, if any."""
    in_traceback, last_exception = False, None
    for raw in stream:
        line = raw.decode("utf-8", "replace")
        starts_traceback = line.startswith("Traceback (most recent call last):")
        if starts_traceback or (in_traceback and (line[:1].isspace() or not line.strip())):
            in_traceback = True
        elif in_traceback:  # the exception's own line ends the traceback
            in_traceback = False
            if not line.startswith(("During handling", "The above exception")):
                last_exception = line.strip()
            else:
                in_traceback = True
            if show_tracebacks:
                sys.stderr.write(line)
            continue
        if show_tracebacks or not in_traceback:
            sys.stderr.write(line)
            sys.stderr.flush()
    return last_exception


_DISK_ADVICE = {
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some space within your disk quota",
    errno.EFBIG: "raise the file-size limit (ulimit -f)",
    errno.EROFS: "make it writable",
    errno.EACCES: "make it writable",
    errno.EPERM: "make it writable",
}


def _disk_error(error: OSError, site: Path) -> int:
    number, reason, where = error.errno, error.strerror, error.filename
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list):
        # copytree gathers its failures as (source, destination, "[Errno N] reason: …")
        _source, where, why = error.args[0][0]
        found = re.match(r"\[Errno (\d+)\] ([^:]+)", str(why))
        number, reason = (int(found[1]), found[2]) if found else (None, str(why))
    advice = _DISK_ADVICE.get(number, "check the disk")
    kept = f"; the previous site in {site} is unchanged" if site.exists() else ""
    print(
        f"casebook build: cannot write {where or site.parent}: {reason or error}; "
        f"{advice} and run again{kept}",
        file=sys.stderr,
    )
    return 1


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
    except IndexDamaged as error:
        print(f"casebook search: {error}; `make build` rebuilds it", file=sys.stderr)
        return 2
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

    from .api import SERVER_SETTINGS, SearchApp

    site = Path(args.site_dir)
    if not (site / "index.html").is_file():
        print(f"casebook serve: no built site in {site}; run `make build` first", file=sys.stderr)
        return 2
    app = SearchApp(site, Path(args.index), _taxonomies(Path(args.content)))
    _allow_open_files(SERVER_SETTINGS["connection_limit"] + 64)
    print(f"serving {site} and /api/search on http://{args.host}:{args.port}/", flush=True)
    serve(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="casebook",
        **SERVER_SETTINGS,
    )
    return 0


def _allow_open_files(wanted: int) -> None:
    """Raise this process's open-file limit towards `wanted` (one per connection),
    within what the system allows; many systems start at 1,024."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


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
        from .prompts import NoMoreInput, ask_for_missing

        try:
            answers = ask_for_missing(answers, taxonomies, content)
        except NoMoreInput:
            print("\ncasebook new: stopped before every question was answered", file=sys.stderr)
            return 2
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
        place=_as_slug(taxonomies, "places", answers["place"]),
        themes=[_as_slug(taxonomies, "themes", value) for value in answers["themes"]],
        principles=[_as_slug(taxonomies, "principles", v) for v in answers["principles"]],
        partners=answers["partners"],
        summary=args.summary or "",
        programme=_as_slug(taxonomies, "programmes", args.programme) if args.programme else None,
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


def _as_slug(taxonomies: dict, name: str, value: str) -> str:
    """A label or a number, as the prompts accept, written as the slug; anything else is
    kept for term_errors to report with its suggestion."""
    from .content.scaffold import resolve_term

    if name not in taxonomies or taxonomies[name].open:
        return value
    slug, _ = resolve_term(taxonomies[name], value)
    return slug or value


def command_form(args: argparse.Namespace) -> int:
    from .content.issue_form import form_yaml

    taxonomies = _taxonomies(Path(args.content))
    if not taxonomies:
        print(f"casebook form: no readable {args.content}/taxonomy.yml", file=sys.stderr)
        return 2
    text = form_yaml(taxonomies)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


def command_from_issue(args: argparse.Namespace) -> int:
    """The issue form's body to a case-study file, through the same template and term
    checks as `casebook new`; what cannot be read is refused with the reason."""
    import datetime as dt

    from .content.issue_form import issue_comment, read_issue_body
    from .content.scaffold import term_errors, write_case_study

    content = Path(args.content)
    taxonomies = _taxonomies(content)
    if not taxonomies:
        print(f"casebook from-issue: no readable {content}/taxonomy.yml", file=sys.stderr)
        return 2
    issue, error = _read_issue(Path(args.issue))
    errors = [error] if error else []
    answers = read_issue_body(issue.get("body", ""), taxonomies) if issue else None
    if answers is not None:
        errors += answers.errors
        if answers.draft is not None:
            errors += [e for e in term_errors(answers.draft, taxonomies) if e not in errors]
    path = None
    if not errors and answers is not None and answers.draft is not None:
        try:
            path = write_case_study(answers.draft, content, dt.date.today(), answers.sections)
        except FileExistsError:
            errors.append(
                f"{content}/case_studies/{answers.draft.slug}.md already exists: "
                "change 'Name of the work', or ask for the existing case study to be updated"
            )
    if path is None:
        where = f"issue #{issue['number']}" if issue and "number" in issue else args.issue
        for message in errors:
            print(f"casebook from-issue: {where}: {message}", file=sys.stderr)
        if args.comment:
            Path(args.comment).write_text(issue_comment(None, errors), encoding="utf-8")
        return 2
    _, problems = load_catalogue(content)
    mine = [p for p in problems if Path(p.path).resolve() == path.resolve()]
    print(f"Created {path}")
    for problem in mine:
        print(problem)
    if args.comment:
        lines = [str(problem) for problem in mine]
        Path(args.comment).write_text(issue_comment(str(path), lines), encoding="utf-8")
    return 0


def _read_issue(path: Path) -> tuple[dict | None, str | None]:
    hint = "save what `gh issue view N --json number,title,body` prints"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return None, f"cannot read {path}: {error.strerror}"
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f":{error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        return None, f"{path}{where}: not an issue as JSON; {hint}"
    if not isinstance(data, dict) or not isinstance(data.get("body"), str):
        return None, f"{path}: no issue 'body' in it; {hint}"
    return data, None


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
        "problem and exits 1 when any is an error; warnings (a short body, a missing "
        "section heading) are printed but pass unless --strict.",
        epilog="example: casebook check --format github --strict",
    )
    check.add_argument(
        "--content",
        default=str(DEFAULT_CONTENT),
        metavar="DIR",
        help="the content directory (default: content)",
    )
    check.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text (path:line: message), json (for tools) or github (annotations that "
        "GitHub Actions shows on the pull request's lines)",
    )
    check.add_argument("--json", action="store_true", help="the same as --format json")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(handler=command_check)

    build = commands.add_parser(
        "build",
        help="build the site, keeping the previous one if the build fails",
        description="Run `properdocs build --strict` into a staging directory and swap the site "
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
    build.add_argument(
        "--traceback",
        action="store_true",
        help="show Python tracebacks from the build in full (for reporting a bug)",
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

    form = commands.add_parser(
        "form",
        help="print or write the 'Suggest a case study' issue form",
        description="Generate the GitHub issue form from taxonomy.yml (its choices and "
        "checkboxes) and the case-study template (its sections).",
        epilog="example: casebook form --output .github/ISSUE_TEMPLATE/suggest-a-case-study.yml",
    )
    form.add_argument("--output", metavar="FILE", help="write the form here instead of printing")
    form.add_argument("--content", default=str(DEFAULT_CONTENT), metavar="DIR")
    form.set_defaults(handler=command_form)

    from_issue = commands.add_parser(
        "from-issue",
        help="turn a 'Suggest a case study' issue into a case-study file",
        description="Read an issue written with the form (as `gh issue view N --json "
        "number,title,body` prints it) and write content/case_studies/<slug>.md from the "
        "same template as `casebook new`. Refuses, with every reason, what it cannot read; "
        "never overwrites a file.",
        epilog="example: gh issue view 12 --json number,title,body > issue.json && "
        "casebook from-issue issue.json --comment reply.md",
    )
    from_issue.add_argument("issue", metavar="ISSUE.json", help="the issue as JSON")
    from_issue.add_argument(
        "--comment", metavar="FILE", help="also write a Markdown reply for the issue here"
    )
    from_issue.add_argument("--content", default=str(DEFAULT_CONTENT), metavar="DIR")
    from_issue.set_defaults(handler=command_from_issue)

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
        status = args.handler(args)
        sys.stdout.flush()  # inside the try: a reader that left shows up here, not at exit
        return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped reading (`casebook search … | head`): end quietly, as cat does,
        # with the status a shell gives a process ended by SIGPIPE. Python's own flush at
        # exit would fail again, so standard output now goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13


if __name__ == "__main__":
    sys.exit(main())
