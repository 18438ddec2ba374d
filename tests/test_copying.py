"""The copying check: no page shares a run of 25 words with a source, outside quotations."""

from pathlib import Path

import pytest
from casebook.content.copying import (
    RUN_LENGTH,
    read_sources,
    shared_runs,
    source_runs,
)

from .conftest import ROOT, unavailable

SEEDS = ROOT.parent / "shared" / "seeds"
SOURCES = ROOT / "sources"

# 40 words of made-up source prose, so the detector's own tests need no seeds.
SOURCE = (
    "The partners agreed early on that every person supported would have a named worker, "
    "that decisions about support would be taken with that person in the room, and that "
    "each organisation would lend staff time rather than money to the shared team."
)
WORDS = SOURCE.split()


def runs_in(text: str):
    return shared_runs(text, source_runs({"source.txt": SOURCE}))


def test_no_page_shares_25_words_with_a_source():
    if not SEEDS.is_dir():
        unavailable("the copying check", f"no source documents at {SEEDS}")
    runs = source_runs(read_sources([SEEDS, SOURCES]))
    assert runs, f"no source text read from {SEEDS} or {SOURCES}"
    found = [
        f"content/{path.relative_to(ROOT / 'content')}:{run.line}: {len(run.words)} words "
        f"as in {Path(run.source).name}: '{run.text}'; put it in your own words, or quote "
        "it as a blockquote with an attribution line"
        for path in sorted((ROOT / "content").rglob("*.md"))
        for run in shared_runs(path.read_text(encoding="utf-8"), runs)
    ]
    assert found == [], "\n".join(found)


def test_the_sources_folder_explains_itself():
    assert (SOURCES / "README.md").is_file()


def test_a_planted_copy_of_25_words_is_caught_on_its_line():
    page = "---\ntitle: T\n---\n\nIntro.\n\nWe found " + " ".join(WORDS[3:28]) + " and more."
    (run,) = runs_in(page)
    assert run.words == tuple(w.lower().strip(",.") for w in WORDS[3:28])
    assert run.line == 7


def test_24_words_pass():
    assert runs_in("Before. " + " ".join(WORDS[:24]) + " after.") == []
    assert RUN_LENGTH == 25


def test_case_punctuation_markdown_and_line_breaks_do_not_hide_a_copy():
    text = " ".join(WORDS[:30]).upper().replace("SUPPORTED", "**supported**")
    text = text.replace("NAMED WORKER", "[named worker](https://example.org/x)")
    text = text.replace("THAT DECISIONS", "that\n\n- decisions")
    assert len(runs_in(text)) == 1


def test_an_attributed_blockquote_is_allowed_and_an_unattributed_one_is_not():
    quoted = "> " + " ".join(WORDS[:30])
    assert runs_in(f"Intro.\n\n{quoted}\n>\n> — a partner quoted in the report\n") == []
    assert len(runs_in(f"Intro.\n\n{quoted}\n")) == 1


def test_a_short_quotation_in_marks_is_allowed_but_not_a_long_one():
    short = '"' + " ".join(WORDS[:20]) + '"'
    assert runs_in(f"As one partner said, {short} and so on.") == []
    # a run cannot be made of a quotation and the copied words around it
    assert runs_in(" ".join(WORDS[:10]) + f' "{" ".join(WORDS[10:30])}" ') == []
    long = '"' + " ".join(WORDS[:30]) + '"'
    assert len(runs_in(f"As one partner said, {long} (a partner).")) == 1


@pytest.mark.parametrize("name", ["notes.txt", "report.md"])
def test_a_contributors_source_in_sources_is_read(tmp_path, name):
    (tmp_path / name).write_text(SOURCE, encoding="utf-8")
    (tmp_path / "README.md").write_text("How to add a source.", encoding="utf-8")
    sources = read_sources([tmp_path, tmp_path / "missing"])
    assert list(sources) == [str(tmp_path / name)]
