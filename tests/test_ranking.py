"""Ranking plain words from their postings: the same matches and scores as Whoosh's own
search, on an index of two segments with a deleted document (as after an edit)."""

import pytest
from casebook.search.ranking import LengthCachedBM25F, all_words_matches, word_terms
from casebook.search.whoosh_index import TEXT_FIELDS, SearchIndex
from whoosh import index as whoosh_index
from whoosh.query import Or, Term

from .search_data import index_library

QUERIES = ["care", "team home", "care team plan", "lighthouse", "library clinic night"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(the SearchIndex, a plain Whoosh searcher) of the synthetic library."""
    index_dir = index_library(tmp_path_factory.mktemp("library") / "index")
    search_index = SearchIndex(index_dir)
    ix = whoosh_index.open_dir(str(index_dir))
    assert len(ix.searcher().leaf_searchers()) == 2 and ix.doc_count() < ix.doc_count_all()
    with ix.searcher() as searcher:
        yield search_index, searcher


def test_field_lengths_read_once_give_whooshs_bm25f_scores_exactly(library):
    search_index, plain = library
    cached = plain._ix.searcher(weighting=LengthCachedBM25F())
    for text in QUERIES + ['"care home"', "care NOT home"]:
        query = search_index.parse(text)[0]
        expected = plain.search(query, limit=None).top_n
        assert expected and cached.search(query, limit=None).top_n == expected, text
    leaf, _ = cached.leaf_searchers()[-1]
    lengths = cached.weighting.lengths(leaf, "title")
    assert len(lengths) == leaf.doc_count_all() and min(lengths) >= 1
    assert cached.weighting.lengths(leaf, "title") is lengths  # read once
    scorer = cached.weighting.scorer(leaf, "title", b"care")
    assert scorer.dfl.__self__ is lengths  # and what the scorer reads


def test_plain_words_match_and_score_as_whoosh_ranks_them(library):
    search_index, plain = library
    some = frozenset(range(0, plain.doc_count_all(), 3))
    for text in QUERIES:
        query = search_index.parse(text)[0]
        words = word_terms(query, TEXT_FIELDS)
        assert len(words) == len(text.split()), text
        for allowed in (None, some):
            found = sorted(all_words_matches(plain, words, allowed), key=lambda m: m[1])
            expected = plain.search(query, limit=None).top_n
            expected = sorted(
                (m for m in expected if allowed is None or m[1] in allowed), key=lambda m: m[1]
            )
            assert [docnum for _, docnum in found] == [docnum for _, docnum in expected], text
            assert [score for score, _ in found] == pytest.approx(
                [score for score, _ in expected], rel=1e-12
            )


def test_a_deleted_page_is_not_matched(library):
    search_index, plain = library
    words = word_terms(search_index.parse("lighthouse")[0], TEXT_FIELDS)
    matches = all_words_matches(plain, words, None)
    assert len(matches) == 1 and plain.stored_fields(matches[0][1])["slug"] == "page-7"


def test_only_plain_words_are_read_as_words(library):
    search_index, _ = library
    parse = search_index.parse
    words = word_terms(parse("care team")[0], TEXT_FIELDS)
    assert [[(term.fieldname, term.text) for term in word] for word in words] == [
        [(field, "care") for field in TEXT_FIELDS],
        [(field, "team") for field in TEXT_FIELDS],
    ]
    assert word_terms(parse("title:care")[0], TEXT_FIELDS) == [[Term("title", "care")]]
    for text in ['"care home"', "care NOT home", "car*", "care^2", "(care team)^2", "kind:page"]:
        assert word_terms(parse(text)[0], TEXT_FIELDS) is None, text
    assert word_terms(parse("care team", any_word=True)[0], TEXT_FIELDS) is None
    assert word_terms(Or([Term("body", "care")], minmatch=1), TEXT_FIELDS) is None
    assert word_terms(Term("body", "care"), ["title"]) is None


def test_plain_words_are_ranked_without_whooshs_search_and_the_rest_with_it(library, monkeypatch):
    search_index, _ = library
    calls = []
    searcher = search_index._searcher()
    original = searcher.search
    monkeypatch.setattr(searcher, "search", lambda *a, **k: calls.append(a) or original(*a, **k))
    assert search_index.search("care team").total > 0 and calls == []
    assert search_index.search('"care team"').total > 0 and len(calls) == 1
