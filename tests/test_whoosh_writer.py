"""The index's own format and writer (search/whoosh_writer.py) against Whoosh's: the same
word values for any text, and the same segment files, byte for byte, for a real library."""

from __future__ import annotations

import random
from pathlib import Path

from casebook.content.catalogue import load_catalogue
from casebook.search.whoosh_index import (
    TEXT_FIELDS,
    WordAnalyzer,
    analyzer,
    build_schema,
    search_documents,
)
from casebook.search.whoosh_writer import GroupedPositions, IndexWriter, _Pool
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import TEXT
from whoosh.filedb.compound import CompoundStorage
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


def written(index_dir: Path, documents, schema, writer_of) -> dict[str, bytes]:
    index_dir.mkdir()
    ix = whoosh_index.create_in(str(index_dir), schema)
    writer = writer_of(ix)
    for document in documents:
        writer.add_document(**document.fields())
    writer.commit()
    return segment_files(index_dir)


def whooshs_schema(facets):
    """The schema with Whoosh's own analyzer chain and Positions format."""
    schema = build_schema(facets)
    for name, boost in TEXT_FIELDS.items():
        schema._fields[name] = TEXT(analyzer=analyzer(), stored=True, field_boost=boost)
    assert type(schema["body"].format) is Positions
    return schema


def test_the_index_files_are_whooshs_byte_for_byte(tmp_path):
    # the site's own pages, and a library whose postings span several blocks
    catalogue, _ = load_catalogue(ROOT / "content")
    facets = list(catalogue.taxonomies)
    documents = search_documents(catalogue) + library_documents(300)
    ours = written(
        tmp_path / "ours", documents, build_schema(facets), lambda ix: IndexWriter(ix, 64)
    )
    whooshs = written(
        tmp_path / "whoosh", documents, whooshs_schema(facets), lambda ix: ix.writer(limitmb=64)
    )
    assert {"segment.pst", "segment.trm", "segment._body_len.col"} <= set(ours)
    assert ours == whooshs


def test_the_pool_fills_and_spills_as_whooshs(tmp_path):
    rng = random.Random(5)
    items = [
        ("body", rng.choice([b"care", b"caf\xc3\xa9", b"x"]), docnum, 1.0, b"v" * rng.randint(0, 9))
        for docnum in range(3000)
    ]
    pools = []
    for pool_class in (PostingPool, _Pool):
        pool = pool_class(None, None, limitmb=0)
        pool.limit = 20_000  # bytes: a run spilled every hundred or so postings
        pool.save = lambda pool=pool: (pool.runs.append(len(pool.current)), pool.current.clear())
        for item in items:
            pool.add(item)
        pools.append((pool.currentsize, pool.runs, pool.current, pool.fieldnames))
    assert pools[0] == pools[1]
    assert len(pools[0][1]) > 10


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
