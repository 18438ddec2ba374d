"""Each file's check kept between runs (content/checked_files.py): a library read through
the kept records gives exactly the Catalogue and problems of a fresh read, after edits,
renames, deletions, a taxonomy change, another day, and a damaged or altered cache."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from casebook.content import checked_files
from casebook.content.catalogue import load_catalogue
from casebook.content.checked_files import MAX_DEPTH
from casebook.content.load import MAX_FILE_BYTES
from casebook.content.problems import Problem
from casebook.mkdocs_plugin import CHECK_CACHE, CHECKED_FILE
from casebook.site.render_cache import RenderCache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import (
    FIXTURE_CONTENT,
    ROOT,
    TODAY,
    VALID_CASE,
    build_in_process,
    cache_records,
    cache_text,
    write,
    write_cache,
)
from .test_properties import EXAMPLES, MUTATION, front_matters


def kept_load(content: Path, today: dt.date = TODAY):
    """load_catalogue through the store the plugin uses, saved as a build saves it."""
    store = RenderCache(content.parent / "cache" / CHECKED_FILE, "checked-files", **CHECK_CACHE)
    found = load_catalogue(content, today, cache=store)
    store.save()
    return found, store


def assert_as_fresh(content: Path, today: dt.date = TODAY) -> tuple[int, int]:
    """The kept read equals a fresh one; (files reused, files checked)."""
    (catalogue, problems), store = kept_load(content, today)
    fresh_catalogue, fresh_problems = load_catalogue(content, today)
    assert problems == fresh_problems
    assert catalogue == fresh_catalogue
    # repr tells apart what == does not: 1 and 1.0 and True, 0.0 and -0.0, str and a date.
    assert repr(catalogue) == repr(fresh_catalogue)
    return store.hits, store.misses


def synthetic(target: Path) -> Path:
    """The benchmarks' generated library (benchmarks/generate.py), 40 case studies."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return generate.generate(40, target)


def hostile(target: Path) -> Path:
    """The fixture library with every hostile probe in it: many problems to keep. A file
    over the size limit is refused unread, so it is never kept (nor counted below)."""
    shutil.copytree(FIXTURE_CONTENT, target)
    shutil.copytree(ROOT / "tests/fixtures/hostile", target, dirs_exist_ok=True)
    (target / "case_studies/latin-1.md").write_bytes("---\ntitle: Café\n---\n".encode("latin-1"))
    (target / "case_studies/huge.md").write_text("x" * (MAX_FILE_BYTES + 1))
    return target


CORPORA = {
    "library": lambda target: shutil.copytree(ROOT / "content", target),
    "synthetic": synthetic,
    "hostile": hostile,
}


@pytest.mark.parametrize("corpus", CORPORA)
def test_a_kept_read_is_a_fresh_read_through_every_kind_of_change(corpus, tmp_path):
    content = CORPORA[corpus](tmp_path / "content")
    pages = sorted(content.rglob("*.md"))
    count = sum(1 for page in pages if page.stat().st_size <= MAX_FILE_BYTES)
    assert assert_as_fresh(content) == (0, count)  # cold: every file read and checked
    assert assert_as_fresh(content) == (count, 0)  # warm: none

    edited = next(p for p in pages if "case_studies" in p.parts)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence.\n")
    assert assert_as_fresh(content) == (count - 1, 1)

    # A rename changes the page's address and slug (here to one that is not a slug):
    # that file is checked again.
    edited.rename(edited.with_name("Renamed case.md"))
    assert assert_as_fresh(content) == (count - 1, 1)

    # A deletion: the rest is kept, and the rules across files see the library without it.
    # (a policy page where there is one, so the pages citing it have a reference broken)
    remaining = sorted(content.rglob("*.md"), key=lambda p: ("policy" not in p.parts, p))
    remaining[0].unlink()
    assert assert_as_fresh(content) == (count - 1, 0)

    # A taxonomy edit (a theme's slug, used by case studies) checks every file again.
    taxonomy = content / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    assert "slug: collaborative-working" in text
    taxonomy.write_text(text.replace("slug: collaborative-working", "slug: working-together"))
    assert assert_as_fresh(content) == (0, count - 1)
    assert assert_as_fresh(content) == (count - 1, 0)

    # Another day: every verdict that reads the date is made again.
    assert assert_as_fresh(content, TODAY + dt.timedelta(days=1)) == (0, count - 1)


def test_a_verdict_that_reads_the_date_is_not_kept_past_its_day(content, tmp_path):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    write(
        content,
        "case_studies/delta.md",
        VALID_CASE.replace("started: 2016", f"published: {tomorrow}"),
    )
    (_, problems), _ = kept_load(content)
    future = [p for p in problems if "is in the future" in p.message]
    assert [p.path.endswith("delta.md") for p in future] == [True]
    (_, problems), store = kept_load(content, TODAY + dt.timedelta(days=1))
    assert store.hits == 0
    assert not [p for p in problems if "is in the future" in p.message]


def test_problems_name_files_as_this_run_does(content, monkeypatch):
    """Where a kept problem says it is comes from this run (relative to the working
    directory when inside it), not from the run that kept it."""
    monkeypatch.chdir(content.parent)
    (_, problems), _ = kept_load(content)
    assert problems and all(p.path.startswith("content/") for p in problems)
    monkeypatch.chdir(ROOT)
    assert assert_as_fresh(content) == (6, 0)
    (_, problems), _ = kept_load(content)
    assert all(p.path.startswith(str(content)) for p in problems)


def test_a_change_to_the_code_checks_every_file_again(content, monkeypatch):
    assert assert_as_fresh(content) == (0, 6)
    monkeypatch.setattr(checked_files, "code_version", lambda: "another version")
    assert assert_as_fresh(content) == (0, 6)


def test_rules_across_files_run_on_the_current_library(content):
    """A kept file is still checked against the others: its policy page gone, its title
    taken by a new page."""
    write(content, "case_studies/delta.md", VALID_CASE)  # cites test-act
    assert kept_load(content)[0][1] == load_catalogue(content, TODAY)[1]
    (content / "policy" / "test-act.md").unlink()
    write(content, "case_studies/copy.md", VALID_CASE)  # Delta Project's title, again
    (_, problems), store = kept_load(content)
    assert (store.hits, store.misses) == (6, 1)  # only the new file was read and checked
    told = {p.message.split(" (did")[0].split(" by ")[0] for p in problems if "delta" in p.path}
    assert told >= {  # delta.md was kept, and is told what changed around it
        "'policies' names 'test-act', but there is no content/policy/test-act.md",
        "title 'Delta Project' is already used",
    }


def test_front_matter_of_every_type_comes_back_exactly(content):
    write(
        content,
        "odd.md",
        """\
        ---
        title: "Odd values: déjà vu \\u00e9"
        summary: A page of every YAML type.
        when: 2024-02-29
        at: 2024-02-29 10:30:00
        at_zone: 2024-02-29T10:30:00.5+05:30
        at_utc: 2024-02-29T10:30:00Z
        numbers: [1, -0.0, 1.5e300, .inf, 0x1F, true, null, ~, "1"]
        nested:
          1: one
          true: yes
          null: nothing
          2024-01-01: a date as a key
          1.5: a float key
          text: {deep: [a, {b: c}]}
        tag_like: {"$date": "not a date"}
        pairs_like: {"$pairs": [[1, 2]]}
        empty_map: {}
        empty_list: []
        ---

        Body.
        """,
    )
    assert assert_as_fresh(content) == (0, 7)
    assert assert_as_fresh(content) == (7, 0)  # all kept, odd.md too


@settings(
    max_examples=EXAMPLES // 3,
    derandomize=MUTATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(
        front_matters.map(lambda front: yaml.safe_dump(front, allow_unicode=True)),
        st.text(alphabet="ab:-[]{}#'\"&*!|> \n\t,?", max_size=120),  # mostly not YAML
    ),
    body=st.text(max_size=80),
)
def test_whatever_a_file_holds_its_kept_check_is_its_fresh_one(tmp_path_factory, text, body):
    content = tmp_path_factory.mktemp("kept") / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "case_studies/random.md").write_text(f"---\n{text}\n---\n{body}\n")
    fresh = load_catalogue(content, TODAY)
    cold, _ = kept_load(content)
    warm, store = kept_load(content)
    assert store.hits >= 6  # every fixture file, and the random one when it can be kept
    # repr, not ==: a NaN in the front matter is never equal to itself
    assert repr(cold) == repr(fresh) and repr(warm) == repr(fresh)


def test_a_value_json_cannot_hold_is_read_afresh_every_time(content):
    write(content, "sets.md", "---\ntitle: Sets\nkinds: !!set {a, b}\ndata: !!binary aGk=\n---\n")
    assert assert_as_fresh(content) == (0, 7)
    assert assert_as_fresh(content) == (6, 1)  # not kept: read and checked again


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, 900])
def test_front_matter_nested_past_a_limit_is_read_afresh_every_time(depth, content):
    """YAML allows 1,000 levels; past MAX_DEPTH a record would take the encoder and JSON
    towards Python's recursion limit, so that file is not kept (and never fails the read)."""
    nested = "[" * depth + "1" + "]" * depth
    write(content, "deep.md", f"---\ntitle: Deep\nsummary: {nested}\n---\n")
    assert assert_as_fresh(content) == (0, 7)
    kept = depth < MAX_DEPTH  # the front matter is the first level, the lists below it
    assert assert_as_fresh(content) == ((7, 0) if kept else (6, 1))


def test_what_a_record_could_not_restore_is_not_kept(content, monkeypatch):
    """A rule naming another file, or a loader whose body is not the end of the text,
    would be restored wrong from a record: such a file is checked on every run."""
    check_document = checked_files.check_document
    monkeypatch.setattr(
        checked_files,
        "check_document",
        lambda document, *rest: [*check_document(document, *rest), Problem("elsewhere", 1, "x")],
    )
    assert assert_as_fresh(content) == (0, 6)
    assert assert_as_fresh(content) == (0, 6)
    monkeypatch.undo()
    parse_document = checked_files.parse_document

    def stripped(*arguments):
        document, problems = parse_document(*arguments)
        if document is not None:
            document.body = document.body.rstrip()
        return document, problems

    monkeypatch.setattr(checked_files, "parse_document", stripped)
    assert assert_as_fresh(content) == (0, 6)
    assert assert_as_fresh(content) == (0, 6)


def cache_file(content: Path) -> Path:
    return content.parent / "cache" / CHECKED_FILE


def rewrite(path: Path, change) -> None:
    """Change the kept records and write a checksum that matches: only the records' own
    shape can tell that they are not as this code wrote them."""
    header, records = cache_records(path)
    change(records)
    # (nesting that json.dumps would refuse to write, as a damaged record could hold)
    write_cache(path, cache_text(header, records).replace('"DEEP"', "[" * 600 + "]" * 600))


def first_case(records: dict) -> dict:
    return next(r for r in records.values() if r["document"] and "place" in r["document"]["meta"])


ALTERED = {
    "problems not a list": lambda r: first_case(r).update(problems=5),
    "a problem's line as text": lambda r: next(x for x in r.values() if x["problems"])["problems"][
        0
    ].__setitem__(0, "3"),
    "an unknown severity": lambda r: next(x for x in r.values() if x["problems"])["problems"][
        0
    ].__setitem__(2, "fatal"),
    "no body": lambda r: first_case(r)["document"].pop("body_start"),
    "a body start as true": lambda r: first_case(r)["document"].update(body_start=True),
    "a flag as a number": lambda r: first_case(r)["document"].update(unreadable=0),
    "meta not a mapping": lambda r: first_case(r)["document"].update(meta=[1]),
    "a bad date tag": lambda r: first_case(r)["document"]["meta"].update(
        published={"$date": "yesterday"}
    ),
    "a key that cannot be a key": lambda r: first_case(r)["document"]["meta"].update(
        x={"$pairs": [[[1], 2]]}
    ),
    "meta nested past the recursion limit": lambda r: first_case(r)["document"]["meta"].update(
        title="DEEP"
    ),
    "a line as text": lambda r: first_case(r)["document"]["lines"].update(title="1"),
    "a record not a mapping": lambda r: r.update({k: [1] for k in list(r)[:1]}),
}


@pytest.mark.parametrize("alteration", ALTERED)
def test_a_record_not_as_written_is_checked_afresh(alteration, content):
    kept_load(content)
    rewrite(cache_file(content), ALTERED[alteration])
    hits, misses = assert_as_fresh(content)
    assert (hits, misses) == (5, 1)
    assert assert_as_fresh(content) == (6, 0)  # the fresh verdict replaced it


def test_a_damaged_cache_is_found_and_every_file_checked(content, caplog):
    kept_load(content)
    path = cache_file(content)
    path.write_bytes(path.read_bytes().replace(b"Alpha", b"Alpho", 1))
    with caplog.at_level(logging.WARNING, logger="casebook"):
        assert assert_as_fresh(content) == (0, 6)
    assert f"the check cache {path} is damaged (it is not as written (its checksum differs))" in (
        caplog.text
    )
    assert "every file is read and checked" in caplog.text
    assert assert_as_fresh(content) == (6, 0)


def test_a_cache_nested_past_what_json_reads_is_damaged(content, caplog):
    path = cache_file(content)
    path.parent.mkdir(parents=True)
    write_cache(path, "[" * 100_000 + "]" * 100_000 + "\n")  # as its header line
    with caplog.at_level(logging.WARNING, logger="casebook"):
        assert assert_as_fresh(content) == (0, 6)
    assert "is damaged (it is nested too deeply)" in caplog.text


def test_the_build_reads_and_checks_only_the_files_that_changed(content, tmp_path):
    """Through the plugin: the same problems on every build, from the cache after the
    first; a damaged cache is reported and the build goes on."""

    def build(name: str):
        result = build_in_process(
            content, tmp_path / name, tmp_path / f"index-{name}", strict=False, casebook_debug=True
        )
        assert result.ok, "\n".join(result.lines)
        (count,) = [line for line in result.lines if "casebook: check cache:" in line]
        told = [line for line in result.lines if "case_studies/" in line and ".md:" in line]
        damaged = [line for line in result.lines if "check cache" in line and "damaged" in line]
        return count.partition("check cache: ")[2], told, damaged

    write(
        content, "case_studies/delta.md", VALID_CASE.replace("place: inverclyde", "place: narnia")
    )
    first, told, _ = build("first")
    assert first == "0 files reused, 7 checked"
    assert any("unknown place 'narnia'" in line for line in told)
    second, again, damaged = build("second")
    assert second == "7 files reused, 0 checked"
    assert again == told and damaged == []
    path = content.parent / "build" / "cache" / CHECKED_FILE
    path.write_bytes(path.read_bytes()[:-10])
    third, after_damage, damaged = build("third")
    assert third == "0 files reused, 7 checked"
    assert after_damage == told
    assert damaged == [
        f"WARNING -  casebook: the check cache {path} is damaged (it is not as written "
        "(its checksum differs)); every file is read and checked"
    ]


@pytest.mark.parametrize("corpus", CORPORA)
def test_files_checked_in_two_processes_read_as_a_fresh_read(corpus, tmp_path, monkeypatch):
    """A cold read shares the files it checks with a forked process (here even a few):
    documents and problems equal a read with no store at all, kept or not."""
    from casebook.content import two_processes

    content = CORPORA[corpus](tmp_path / "content")
    monkeypatch.setattr(two_processes, "WORTH_A_PROCESS", 2)
    helpers = []
    real = two_processes._work
    monkeypatch.setattr(two_processes, "_work", lambda *a: helpers.append(a) or real(*a))
    count = sum(1 for p in content.rglob("*.md") if p.stat().st_size <= MAX_FILE_BYTES)
    assert assert_as_fresh(content) == (0, count)
    assert helpers == []  # the helper ran in the forked process, not here
    assert assert_as_fresh(content) == (count, 0)  # what it checked was kept
