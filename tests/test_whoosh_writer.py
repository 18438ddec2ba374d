"""The index's own format and writer (search/whoosh_format.py, whoosh_writer.py) against
Whoosh's: the same word values for any text, and the same segment files, byte for byte,
for a real library."""

from __future__ import annotations

import io
import random
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.search.whoosh_format import GroupedPositions
from casebook.search.whoosh_index import (
    TEXT_FIELDS,
    WordAnalyzer,
    analyzer,
    build_schema,
    search_documents,
)
from casebook.search.whoosh_writer import IndexWriter, _Pool, _PostingsWriter
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.fields import TEXT
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Positions
from whoosh.writing import PostingPool

from .conftest import ROOT
from .search_data import library_documents
from .test_search import WORDS

# Stop words, one-letter words, apostrophes, dotted words, numbers, accents, case, and the
# asterisk Whoosh's tokenizer keeps in a word.
SAMPLES = [*WORDS, "care*", "*", "a.b.c", "e.g.", "wh*t", "x..y", ".5"]
WORDS_AND_TEXT = st.lists(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=8)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(words=WORDS_AND_TEXT, separator=st.sampled_from([" ", "", ". ", "\n", "..."]))
def test_word_values_are_whooshs_for_any_text(words, separator):
    text = separator.join(words)
    for boost in (1.0, 2.0, 4.0):
        expected = list(Positions(field_boost=boost).word_values(text, analyzer(), mode="index"))
        given_ = GroupedPositions(field_boost=boost).word_values(text, WordAnalyzer(), mode="index")
        assert list(given_) == expected


def test_word_values_are_whooshs_for_the_sites_pages():
    catalogue, _ = load_catalogue(ROOT / "content")
    texts = [text for document in search_documents(catalogue) for text in document.texts()]
    assert sum(len(text) for text in texts) > 50_000  # real prose, not a few words
    for text in texts:
        expected = list(Positions().word_values(text, analyzer(), mode="index"))
        assert list(GroupedPositions().word_values(text, WordAnalyzer(), mode="index")) == expected


def test_what_the_analyzer_cannot_group_is_left_to_whoosh():
    # a start position, or an analyzer without word_positions: Positions' own way
    text = "the care team met the care home"
    for given_analyzer, options in ((WordAnalyzer(), {"start_pos": 7}), (analyzer(), {})):
        expected = list(Positions().word_values(text, given_analyzer, **options))
        assert list(GroupedPositions().word_values(text, given_analyzer, **options)) == expected
    # positions count on from the first word kept, which keeps its place
    assert expected[0] == ("care", 2, 2.0, Positions().encode([1, 4]))


def segment_files(index_dir: Path) -> dict[str, bytes]:
    """Every file inside the index's segments, by name without the segment's random id."""
    ix = whoosh_index.open_dir(str(index_dir))
    files = {}
    for segment in ix._segments():
        with ix.storage.open_file(segment.make_filename(".seg")) as compound:
            storage = CompoundStorage(compound, use_mmap=False)
            for name in storage.list():
                key = name.replace(segment.segment_id(), "segment")
                files[key] = storage.open_file(name).read()
    ix.close()
    return files


def written(index_dir: Path, documents, schema, writer_of, pool_limit=None) -> dict[str, bytes]:
    index_dir.mkdir()
    ix = whoosh_index.create_in(str(index_dir), schema)
    writer = writer_of(ix)
    if pool_limit:
        writer.pool.limit = pool_limit
    for document in documents:
        writer.add_document(**document.fields())
    spilled = len(writer.pool.runs)
    writer.commit()
    assert bool(spilled) == bool(pool_limit)
    return segment_files(index_dir)


def whooshs_schema(facets):
    """The schema with Whoosh's own analyzer chain and Positions format."""
    schema = build_schema(facets)
    for name, boost in TEXT_FIELDS.items():
        schema._fields[name] = TEXT(analyzer=analyzer(), stored=True, field_boost=boost)
    assert type(schema["body"].format) is Positions
    return schema


@pytest.mark.parametrize("pool_limit", [None, 100_000])  # bytes: the pool spills to disk
def test_the_index_files_are_whooshs_byte_for_byte(tmp_path, pool_limit):
    # the site's own pages, and a library whose postings span several blocks
    catalogue, _ = load_catalogue(ROOT / "content")
    facets = list(catalogue.taxonomies)
    documents = search_documents(catalogue) + library_documents(300)
    schema, whooshs = build_schema(facets), whooshs_schema(facets)
    ours = written(tmp_path / "ours", documents, schema, lambda ix: IndexWriter(ix, 64), pool_limit)
    expected = written(
        tmp_path / "whoosh", documents, whooshs, lambda ix: ix.writer(limitmb=64), pool_limit
    )
    assert {"segment.pst", "segment.trm", "segment._body_len.col"} <= set(ours)
    assert ours == expected


def test_what_the_writer_leaves_out_is_whooshs_to_add(tmp_path):
    # boosts and stored values as `_` arguments, and a field with a term vector
    schema = build_schema(["themes"])
    schema._fields["labels"] = TEXT(analyzer=analyzer(), stored=True, vector=True)
    documents = library_documents(40)
    extras = {"_boost": 2.0, "_title_boost": 3.0, "_stored_body": "(elsewhere)"}
    files = []
    for name, writer_of in (("ours", lambda ix: IndexWriter(ix, 64)), ("whoosh", None)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), schema)
        writer = writer_of(ix) if writer_of else ix.writer(limitmb=64)
        for number, document in enumerate(documents):
            writer.add_document(**document.fields(), **(extras if number % 2 else {}))
        writer.commit()
        files.append(segment_files(tmp_path / name))
    assert files[0] == files[1]
    assert {"segment.vps", "segment._labels_vec.col"} <= set(files[0])
    with whoosh_index.open_dir(str(tmp_path / "ours")).searcher() as searcher:
        assert searcher.stored_fields(1)["body"] == "(elsewhere)"


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(1, 400),
    first=st.integers(0, 130),  # postings added one by one before the rest at once
    seed=st.integers(0, 2**32),
)
def test_a_terms_postings_at_once_are_whooshs_one_by_one(count, first, seed):
    rng = random.Random(seed)
    docnums = sorted(rng.sample(range(2000), count))
    postings = [
        (docnum, rng.choice([1.0, 2.0, 3.5, 1]), rng.choice([b"", b"ab", b"xyz" * 40]))
        for docnum in docnums
    ]
    # a scorable field's documents all have lengths; another's none (None, or 0)
    scorable = rng.random() < 0.8
    choices = [1, 7, 300, 70_000] if scorable else [None, 0]
    lengths = [rng.choice(choices) for _ in range(2000)]
    written = []
    for at_once in (False, True):
        stream = io.BytesIO()
        writer = _PostingsWriter(StructFile(stream), blocklimit=128)
        writer.start_postings(Positions(), W3TermInfo())
        for docnum, weight, value in postings[: first if at_once else count]:
            writer.add_posting(docnum, weight, value, lengths[docnum])
        if at_once:
            writer.add_postings(postings[first:], lengths)
        info = writer.finish_postings()
        written.append((stream.getvalue(), info.to_bytes()))
    assert written[0] == written[1]


def random_postings(seed: int, count: int = 3000) -> list[tuple]:
    """Postings as a writer pools them: documents in number order, a few fields."""
    rng = random.Random(seed)
    postings = []
    for docnum in range(count // 10):
        for field in sorted(rng.sample(["body", "kind", "title"], 2)):
            for word in sorted(set(rng.choices(["care", "café", "x", "home", "peer"], k=4))):
                value = bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))
                postings.append((field, word.encode(), docnum, float(rng.randint(1, 3)), value))
    return postings


def pools(tmp_path: Path, limit: int) -> list:
    storage = FileStorage(str(tmp_path)).create()
    made = []
    for pool_class in (PostingPool, _Pool):
        pool = pool_class(storage, None, limitmb=0)
        pool.limit = limit
        made.append(pool)
    return made


@pytest.mark.parametrize("limit", [10**9, 20_000])  # bytes: never spilled, or often
@pytest.mark.parametrize("shuffled", [False, True])  # documents in number order, or not
def test_the_pool_sorts_and_spills_as_whooshs(tmp_path, limit, shuffled):
    postings = random_postings(5)
    if shuffled:
        random.Random(7).shuffle(postings)
    whooshs, ours = pools(tmp_path, limit)
    for posting in postings:
        whooshs.add(posting)
        ours.add(posting)
    assert len(ours.runs) == len(whooshs.runs)
    assert len(ours.runs) == 0 if limit > 10**6 else len(ours.runs) > 10
    assert ours.currentsize == whooshs.currentsize
    expected = list(whooshs.items())
    assert expected == sorted(postings)
    terms = [(field, text, posting) for field, text, held in ours.terms() for posting in held]
    assert [(field, text, *posting) for field, text, posting in terms] == expected
    whooshs.cleanup()
    ours.cleanup()


@pytest.mark.parametrize("limit", [10**9, 20_000])
def test_the_pool_takes_a_fields_words_at_once_as_whooshs_one_by_one(tmp_path, limit):
    postings = random_postings(6)
    whooshs, ours = pools(tmp_path, limit)
    for posting in postings:
        whooshs.add(posting)
    counted = 0
    for (field, docnum), group in groupby(postings, key=itemgetter(0, 2)):
        words = [(text.decode(), 2, weight, value) for _, text, _, weight, value in group]
        counted += ours.add_words(field, docnum, words)
    assert counted == 2 * len(postings)
    assert (ours.currentsize == whooshs.currentsize) == (limit > 10**6)
    assert limit > 10**6 or len(ours.runs) > 10
    assert list(ours.items()) == list(whooshs.items())
    whooshs.cleanup()
    ours.cleanup()


def test_field_lengths_are_the_segments_own(tmp_path):
    documents = library_documents(200)
    ix = whoosh_index.create_in(str(tmp_path), build_schema(["themes"]))
    writer = IndexWriter(ix, 64)
    for document in documents:
        writer.add_document(**document.fields())
    writer.perdocwriter.close()
    lengths = writer.per_document_reader()
    reader = writer.codec.per_document_reader(writer.storage, writer.get_segment())
    for name in (*TEXT_FIELDS, "kind"):  # "kind" has no lengths: the default is given
        for default in (0, 1):
            expected = [reader.doc_field_length(n, name, default) for n in range(len(documents))]
            assert [lengths.doc_field_length(n, name, default) for n in range(len(documents))] == (
                expected
            )
    assert lengths.doc_count_all() == len(documents)  # the rest is the reader's
    reader.close()
    lengths.close()
    writer.cancel()
