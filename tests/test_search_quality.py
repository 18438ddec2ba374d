"""Search quality in the Whoosh engine: word families conflate (Snowball stemming), and the
relevance suite (tests/relevance.yml) passes through `casebook search`, as a reader at a
terminal would run it. The same data is checked in the browser against the static index
in test_search_browser.py."""

from __future__ import annotations

import json

import pytest
from casebook import cli
from casebook.search.whoosh_index import SearchIndex, stem, update_index

from .search_data import FAMILIES, RELEVANCE, family_documents


def test_the_word_family_table_is_large_enough():
    assert len(FAMILIES) >= 20


@pytest.mark.parametrize(("indexed", "query"), FAMILIES)
def test_a_word_family_shares_one_stem(indexed, query):
    assert stem(indexed) == stem(query)


def test_whoosh_finds_every_word_family(tmp_path):
    update_index(tmp_path / "index", family_documents(), [])
    index = SearchIndex(tmp_path / "index")
    missed = []
    for number, (indexed, query) in enumerate(FAMILIES):
        slugs = [hit.slug for hit in index.search(query).hits]
        if slugs != [f"family-{number}"]:
            missed.append((indexed, query, slugs))
    index.close()
    assert missed == []


def cli_search(index, query: str, capsys) -> tuple[list[str], str | None]:
    """`casebook search --json QUERY`: the top three URLs and the suggestion, if any."""
    code = cli.main(["search", "--index", str(index), "--json", "--limit", "3", query])
    out, err = capsys.readouterr()
    assert code == 0, err
    suggestion = None
    for line in err.splitlines():
        if line.startswith("Did you mean: "):
            suggestion = line[len("Did you mean: ") :].split("?")[0]
    return [hit["url"] for hit in json.loads(out)], suggestion


def whoosh_answers(index, capsys) -> dict[str, dict]:
    answers = {}
    for case in RELEVANCE:
        top, suggestion = cli_search(index, case["query"], capsys)
        if case.get("suggestion"):
            top, _ = cli_search(index, suggestion or case["query"], capsys)
        answers[case["query"]] = {"top": top, "suggestion": suggestion}
    return answers


def failures(answers: dict[str, dict]) -> list:
    wrong = []
    for case in RELEVANCE:
        answer = answers[case["query"]]
        if case["page"] not in answer["top"][:3]:
            wrong.append((case["query"], "top 3:", answer["top"]))
        if case.get("suggestion") and answer["suggestion"] != case["suggestion"]:
            wrong.append((case["query"], "suggested:", answer["suggestion"]))
    return wrong


def test_the_relevance_suite_is_large_enough():
    assert len(RELEVANCE) >= 30
    assert sum(1 for case in RELEVANCE if case.get("suggestion")) >= 3


def test_whoosh_passes_the_relevance_suite(real_build, capsys):
    assert failures(whoosh_answers(real_build["index"], capsys)) == []
