"""The Whoosh index and search: stemming, facets, ranking, snippets, incremental updates,
failure safety, malformed queries and related cases."""

import dataclasses
import os
import sys
from pathlib import Path

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.content.model import blend_related
from casebook.search import pagefind_cli
from casebook.search import whoosh_index as search_module
from casebook.search.similarity import similar_documents
from casebook.search.static_index import record_html
from casebook.search.whoosh_index import (
    SearchDocument,
    SearchIndex,
    search_documents,
    stage_index,
    update_index,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import FIXTURE_CONTENT, TODAY, VALID_CASE, entries, errors, write

PEER_ONE = (
    VALID_CASE.replace("Delta Project", "Peer Recovery North")
    .replace(
        "A body with words.",
        "Peer support workers with lived experience of recovery run recovery cafes, and peer "
        "workers train new peer support workers in mental health recovery.",
    )
    .replace("  - collaborative-working", "  - culture-shift")
    .replace("  - citizen-agency", "  - sharing-resources")
)
PEER_TWO = """\
---
title: Peer Recovery South
summary: Another test case about peer support.
place: glasgow-city
themes: [lived-experience]
principles: [citizen-agency]
partners: [Zeta Org, Eta Org]
sources: [{title: Zeta Report, publisher: Zeta Org, section: Part 2}]
---

Peer support workers share their own recovery; peer workers sit in mental health teams and
recovery stories are gathered from peer support workers.
"""


def index_content(content: Path, index_dir: Path):
    catalogue, problems = load_catalogue(content, today=TODAY)
    assert errors(problems) == []
    report = update_index(index_dir, search_documents(catalogue), catalogue.taxonomies)
    return catalogue, report


@pytest.fixture
def index(content, tmp_path):
    write(content, "case_studies/peer-recovery-north.md", PEER_ONE)
    write(content, "case_studies/peer-recovery-south.md", PEER_TWO)
    index_content(content, tmp_path / "index")
    return SearchIndex(tmp_path / "index")


def slugs(results):
    return [hit.slug for hit in results.hits]


def test_one_document_per_case_study_policy_and_page(index):
    results = index.search("test", limit=50)
    kinds = {hit.kind for hit in results.hits}
    assert {"case_study", "policy"} <= kinds


def test_stemming_matches_word_forms(index):
    assert "beta-connections" in slugs(index.search("collaborate"))  # "collaboration"
    assert "peer-recovery-north" in slugs(index.search("recover"))  # "recovery"
    assert "peer-recovery-north" in slugs(index.search("recovering"))
    assert search_module.stem("recovery") == search_module.stem("recover")


def test_a_distinctive_phrase_ranks_its_case_study_first(index):
    assert slugs(index.search("pub quiz"))[0] == "beta-connections"
    assert slugs(index.search("keyworker team"))[0] == "alpha-network"


def test_title_matches_outrank_body_matches(index):
    assert slugs(index.search("gamma"))[0] == "gamma-pilot"


def test_snippets_highlight_matches_and_escape_html(index):
    hit = index.search("keyworker").hits[0]
    assert "<mark" in hit.snippet and "keyworker</mark>" in hit.snippet.lower()


def test_facets_and_across_or_within(index):
    themes = {"themes": ["culture-shift", "lived-experience"]}
    either = index.search("test", themes, limit=50)
    assert set(slugs(either)) == {
        "alpha-network",
        "beta-connections",
        "gamma-pilot",
        "peer-recovery-north",
        "peer-recovery-south",
    }
    narrowed = index.search("test", {**themes, "places": ["glasgow-city"]}, limit=50)
    assert set(slugs(narrowed)) == {"alpha-network", "peer-recovery-south"}
    partner = index.search("test", {"partners": ["shared-partner"]}, limit=50)
    assert set(slugs(partner)) == {"alpha-network", "beta-connections"}


def test_kind_filter(index):
    assert {hit.kind for hit in index.search("test", kind="policy", limit=50).hits} == {"policy"}


def test_no_results_suggests_a_corrected_query(index):
    results = index.search("kewyorker")
    assert results.hits == [] and results.corrected == "keyworker"


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "(open",
        "close)",
        "AND",
        "OR NOT",
        "[a TO",
        "title:",
        "*",
        "peer^",
        '"',
        "{",
        "pub AND (quiz",
        "\\",
        "ünïcödé",
        "a" * 200,
    ],
)
def test_malformed_queries_never_raise(index, query):
    results = index.search(query)
    assert isinstance(results.hits, list)


def test_unbalanced_quote_is_searched_as_plain_words(index):
    results = index.search('"pub quiz')
    assert slugs(results)[0] == "beta-connections"
    assert results.note == "searched for the words: pub quiz"


def test_incremental_update_reindexes_only_what_changed(content, tmp_path):
    index_dir = tmp_path / "index"
    _, first = index_content(content, index_dir)
    assert first.rebuilt and first.added == 6 + 15  # pages, and term pages
    _, second = index_content(content, index_dir)
    assert (second.added, second.changed, second.removed, second.unchanged) == (0, 0, 0, 21)
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("one team.", "one team with a lighthouse."))
    (content / "case_studies/gamma-pilot.md").unlink()
    write(content, "case_studies/delta.md", VALID_CASE)
    _, third = index_content(content, index_dir)
    # delta and the pages of its two new terms; alpha; gamma and the pages of its three
    # terms no other case uses
    assert (third.added, third.changed, third.removed, third.unchanged) == (3, 1, 4, 16)
    assert not third.rebuilt
    index = SearchIndex(index_dir)
    assert slugs(index.search("lighthouse")) == ["alpha-network"]
    assert "gamma-pilot" not in slugs(index.search("gamma"))


def test_a_schema_change_rebuilds_the_whole_index(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    monkeypatch.setattr(search_module, "SCHEMA_VERSION", search_module.SCHEMA_VERSION + 1)
    _, report = index_content(content, index_dir)
    assert report.rebuilt and report.added == 6 + 15  # pages, and term pages


def test_a_failed_update_leaves_the_previous_index_whole(content, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("one team.", "one team with a lighthouse."))
    catalogue, _ = load_catalogue(content, today=TODAY)
    documents = search_documents(catalogue)

    def broken_fields(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(search_module.SearchDocument, "fields", broken_fields)
    with pytest.raises(RuntimeError):
        update_index(index_dir, documents, catalogue.taxonomies)
    monkeypatch.undo()
    index = SearchIndex(index_dir)
    assert slugs(index.search("keyworker")) == ["alpha-network"]
    assert index.search("lighthouse").hits == []
    assert entries(tmp_path) == ["content", "index"]


def test_a_staged_index_is_not_live_until_published(content, tmp_path):
    index_dir = tmp_path / "index"
    catalogue, _ = index_content(content, index_dir)
    write(content, "case_studies/delta.md", VALID_CASE)
    catalogue, _ = load_catalogue(content, today=TODAY)
    staged = stage_index(index_dir, search_documents(catalogue), catalogue.taxonomies)
    assert SearchIndex(index_dir).search("delta").hits == []
    assert slugs(SearchIndex(staged.path).search("delta project"))[0] == "delta"
    staged.publish()
    assert slugs(SearchIndex(index_dir).search("delta project"))[0] == "delta"


def test_an_open_index_sees_a_swapped_in_rebuild(content, tmp_path):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    index = SearchIndex(index_dir)
    assert index.search("delta project").hits == []
    write(content, "case_studies/delta.md", VALID_CASE)
    index_content(content, index_dir)
    assert slugs(index.search("delta project"))[0] == "delta"


def test_related_blends_shared_terms_with_text_similarity(content, index):
    catalogue, _ = load_catalogue(content, today=TODAY)
    north = catalogue.case_study("peer-recovery-north")
    shared = catalogue.related_cases(north, limit=None)
    assert "peer-recovery-south" not in [case.slug for case, _ in shared]  # no term in common
    texts = {doc.slug: doc.body for doc in search_documents(catalogue) if doc.kind == "case_study"}
    similar = similar_documents(texts, limit=10)["peer-recovery-north"]
    assert similar[0][0] == "peer-recovery-south"
    # gamma-pilot shares a theme with north; south shares none but says the same things
    assert "gamma-pilot" in [case.slug for case, _ in shared[:3]]
    related = [item.slug for item in blend_related(catalogue, north, shared, similar, limit=3)]
    assert "peer-recovery-south" in related and "gamma-pilot" not in related


def test_every_word_must_match_unless_no_page_has_them_all(index):
    precise = index.search("keyworker team")
    assert slugs(precise) == ["alpha-network"] and precise.note is None
    fallback = index.search("keyworker quiz")  # no page has both words
    assert set(slugs(fallback)) == {"alpha-network", "beta-connections"}
    assert fallback.note == "no page has all the words; showing pages with any of them"


def test_facet_values_are_read_once_per_index_and_again_after_a_rebuild(content, tmp_path):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    index = SearchIndex(index_dir)
    first = index.values_in_use()
    assert first["places"] == {"glasgow-city", "inverclyde", "scotland"}
    assert index.values_in_use() is first  # cached for the open index
    write(content, "case_studies/delta.md", VALID_CASE.replace("started: 2016", "focus: [carers]"))
    index_content(content, index_dir)
    assert "carers" in index.values_in_use()["focus"]  # a swapped-in rebuild is seen


WORDS = ["Recovery", "delivery", "Café", "a", "I", "the", "and", "x2.5", "e.g", "U.S.A"]
WORDS += ["people's", "co-production", "3.14", "__init__", "naïve", "ÉCOLE", "don't", "of"]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=30),
    options=st.sampled_from(
        [
            {},
            {"positions": True},
            {"positions": True, "chars": True},
            {"positions": True, "chars": True, "removestops": False, "keeporiginal": True},
            {"positions": True, "start_pos": 5, "start_char": 3, "chars": True},
            {"tokenize": False, "positions": True, "chars": True},
            {"mode": "query", "removestops": False, "positions": True},
        ]
    ),
)
def test_the_body_analyzer_gives_the_same_tokens_as_the_filter_chain(words, options):
    from casebook.search.whoosh_index import WordAnalyzer, analyzer

    def tokens(analyse):
        return [
            (t.text, t.stopped, t.boost, *(getattr(t, a, None) for a in ATTRIBUTES))
            for t in analyse(" ".join(words), **options)
        ]

    assert tokens(WordAnalyzer()) == tokens(analyzer())


ATTRIBUTES = ("pos", "startchar", "endchar", "original")


def search_document(**fields) -> SearchDocument:
    """A case study's search document: these fields as given, the rest as below."""
    defaults = dict(
        key="case_studies/a.md", slug="a", url="case_studies/a/", kind="case_study", title="A"
    )
    defaults.update(summary="", headings="", body="words", facets={}, labels="")
    return SearchDocument(**{**defaults, **fields})


def test_a_static_record_lists_headings_and_labels_as_a_reader_would_read_them():
    document = search_document(
        title="A & B",
        summary="Before | after",
        headings="Background | What changed",
        body="Text <b>",
        facets={"themes": ("culture-shift",)},
        labels="Culture shift | Glasgow City",
    )
    record = record_html(document)
    assert ">Background; What changed</p>" in record
    assert ">Culture shift; Glasgow City</p>" in record
    assert ">Before | after</p>" in record  # a contributor's summary is left as written
    assert "<title>A &amp; B</title>" in record and "<p>Text &lt;b&gt;</p>" in record
    assert '<span data-pagefind-filter="themes:culture-shift"></span>' in record


# A stand-in for Pagefind's binary: it is given --site and --output-path, as the real one.
FAKE_PAGEFIND = """#!{python}
import pathlib, sys
arguments = sys.argv[1:]
site = pathlib.Path(arguments[arguments.index("--site") + 1])
output = pathlib.Path(arguments[arguments.index("--output-path") + 1])
def write(name, text):
    path = output / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
{body}
"""
# A bundle as Pagefind writes it, and one of its own UI files, which the site leaves out.
FILES = (
    'write("pagefind-entry.json", \'{"version":"1.5.2"}\')\n'
    'write("fragment/en_1.pf_fragment", "fragment")\n'
    'write("pagefind-ui.js", "its own UI, unused")\n'
)


def fake_pagefind(tmp_path, monkeypatch, body: str) -> None:
    fake = tmp_path / "pagefind"
    fake.write_text(FAKE_PAGEFIND.format(python=sys.executable, body=body), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    # the scratch folder where the test can see it: nothing may be left in it
    monkeypatch.setattr(pagefind_cli, "MEMORY_FOLDER", tmp_path / "memory")
    (tmp_path / "memory").mkdir()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # it stops part-way, saying why on stderr: the last line it wrote
        ('sys.stderr.write("thread panicked\\nout of memory\\n"); sys.exit(3)', "out of memory"),
        ("sys.exit(3)", "it stopped with exit status 3"),  # and says nothing
        ("pass", "no output"),  # it succeeds but writes nothing
        (FILES.replace("pagefind-entry.json", "other.json"), "no output"),  # no entry file
        # a link in its output, to a file outside it
        (
            FILES + 'import os; os.symlink("/etc/hostname", output / "escaped.js")',
            "a file it cannot read as its own (escaped.js)",
        ),
    ],
)
def test_a_failed_pagefind_run_is_one_line_and_leaves_no_bundle(
    tmp_path, monkeypatch, body, reason
):
    from casebook.search.static_index import StaticIndexError, write_bundle

    fake_pagefind(tmp_path, monkeypatch, body)
    output = tmp_path / "bundle"
    with pytest.raises(StaticIndexError) as raised:
        write_bundle([search_document()], output, {"words": 1})
    assert str(raised.value) == f"Pagefind could not build the search bundle: {reason}"
    assert not output.exists()
    assert list((tmp_path / "memory").iterdir()) == []


def test_a_missing_pagefind_binary_is_one_line(tmp_path, monkeypatch):
    from casebook.search.static_index import StaticIndexError, write_bundle

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-binary"))
    with pytest.raises(StaticIndexError) as raised:
        write_bundle([search_document()], tmp_path / "bundle", None)
    assert str(raised.value) == (
        "Pagefind could not build the search bundle: No such file or directory"
    )


def test_the_bundle_is_the_files_pagefind_writes_read_whole(tmp_path, monkeypatch):
    """The records go where their addresses say; the bundle comes back whole and the
    scratch folder goes."""
    from casebook.search.static_index import write_bundle

    listing = (
        'write("records.txt", "\\n".join(sorted(p.relative_to(site).as_posix()'
        ' for p in site.rglob("*.html"))))\n'
    )
    fake_pagefind(tmp_path, monkeypatch, FILES + listing)
    output = tmp_path / "bundle"
    documents = [
        search_document(url=""),
        search_document(url="case_studies/a/"),
        search_document(url="themes/b.html"),
    ]
    write_bundle(documents, output, {"words": 1})
    written = {p.relative_to(output).as_posix(): p.read_text() for p in output.rglob("*.*")}
    assert written == {
        "pagefind-entry.json": '{"version":"1.5.2"}',
        "fragment/en_1.pf_fragment": "fragment",
        "records.txt": "case_studies/a/index.html\nindex.html\nthemes/b.html",
        "casebook-vocabulary.json": '{"words":"words","counts":[1]}',
    }  # Pagefind's own UI left out
    assert list((tmp_path / "memory").iterdir()) == []


@pytest.mark.parametrize(
    ("url", "path"),
    [("/", "index.html"), ("/a/b/", "a/b/index.html"), ("/a/b.html", "a/b.html")],
)
def test_a_record_goes_where_pagefind_gives_back_its_address(url, path):
    assert pagefind_cli.record_path(url).as_posix() == path


@pytest.mark.parametrize("url", ["/../x/", "/a//b/", "/a/./b/", "/a/b", "/a\\b/", "/a\x00/"])
def test_a_record_address_outside_plain_paths_is_refused(url):
    with pytest.raises(pagefind_cli.StaticIndexError, match="cannot place"):
        pagefind_cli.record_path(url)


def test_two_records_at_one_address_are_refused_not_merged(tmp_path, monkeypatch):
    fake_pagefind(tmp_path, monkeypatch, FILES)
    with pytest.raises(pagefind_cli.StaticIndexError, match="two records with the same"):
        pagefind_cli.index_pages([("/a/", "<p>one</p>"), ("/a/", "<p>two</p>")])


def test_pagefind_reads_no_settings_but_ours(tmp_path, monkeypatch, content):
    """A pagefind.yml where the build runs, or a PAGEFIND_* variable, would change what
    the real binary indexes (here: nothing, or only headings)."""
    import json as json_module

    from casebook.search.static_index import write_bundle

    documents = search_documents(load_catalogue(content)[0])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text('root_selector: "nav"\n', encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_ROOT_SELECTOR", "nav")
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "p")
    write_bundle(documents, tmp_path / "bundle", None)
    entry = json_module.loads((tmp_path / "bundle" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == len(documents)


def test_every_file_of_a_real_bundle_is_whole(tmp_path, content):
    """Pagefind's entry file names what a browser loads next; none of it may be empty."""
    import json as json_module

    from casebook.search.static_index import write_bundle

    documents = search_documents(load_catalogue(content)[0])
    for attempt in range(3):  # the lost writes showed in 2 bundles of 30
        output = tmp_path / f"bundle-{attempt}"
        write_bundle(documents, output, None)
        entry = json_module.loads((output / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == len(documents)
        empty = [p.name for p in output.rglob("*") if p.is_file() and p.stat().st_size == 0]
        assert empty == []
        assert (output / "pagefind-worker.js").stat().st_size > 1000


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcXYZ éÉßİı_9 -'’ﬁǅª\n")))
def test_vocabulary_words_are_runs_of_letters_of_three_or_more(text):
    """The vocabulary's fast path (ASCII text, the pattern keeping only long words) finds
    exactly the words of its definition: runs of letters, lowercased, three or more."""
    import re

    from casebook.search.vocabulary import MIN_LENGTH, words

    runs = re.findall(r"[^\W\d_]+", text.lower())
    assert words(text) == [run for run in runs if len(run) >= MIN_LENGTH]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("abcXYZ éÉßİı_9 -'’ﬁ.\n\t")), max_size=5))
def test_the_vocabulary_counts_the_words_of_every_text(texts):
    from collections import Counter

    from casebook.search.vocabulary import build_vocabulary, words

    counts = Counter(word for text in texts for word in words(text))
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    assert list(build_vocabulary(texts).items()) == expected


def test_a_documents_hash_is_its_whole_content():
    document = search_documents(load_catalogue(FIXTURE_CONTENT)[0])[0]
    changed = [
        dataclasses.replace(document, body=document.body + " more"),
        dataclasses.replace(document, facets={**document.facets, "themes": ("other",)}),
        dataclasses.replace(document, labels=document.labels + " | other"),
    ]
    hashes = {document.content_hash()} | {other.content_hash() for other in changed}
    assert len(hashes) == 4
    assert document.content_hash() == dataclasses.replace(document).content_hash()


# -- mutation testing (issue 18): search/filters.py, each message as a reader gets it ---------


@pytest.fixture(scope="module")
def fixture_taxonomies():
    from casebook.content.taxonomy import load_taxonomies

    from .conftest import FIXTURE_CONTENT

    taxonomies, _ = load_taxonomies(FIXTURE_CONTENT)
    return taxonomies


def test_an_unknown_filter_is_named_with_the_nearest_and_every_filter_then_values_checked(
    fixture_taxonomies,
):
    from casebook.search.filters import filter_errors

    errors = filter_errors(
        {"theem": ["x"], "themes": ["culture-shfit"]},
        ["themes", "places"],
        fixture_taxonomies,
        {"themes": {"culture-shift"}},
    )
    assert errors == [
        "unknown filter 'theem' (did you mean 'themes'?); filters: themes, places",
        "unknown theme 'culture-shfit' (did you mean 'culture-shift'?)",
    ]


def test_a_closed_taxonomy_accepts_its_terms_in_use_or_not_and_values_the_index_holds(
    fixture_taxonomies,
):
    from casebook.search.filters import filter_errors

    # culture-shift is in taxonomy.yml but no page uses it; retired-theme is only in the index
    in_use = {"themes": {"retired-theme"}}
    filters = {"themes": ["culture-shift", "retired-theme"]}
    assert filter_errors(filters, ["themes"], fixture_taxonomies, in_use) == []
    assert filter_errors({"themes": ["lived-experience"]}, ["themes"], fixture_taxonomies, {}) == []


def test_an_open_taxonomy_accepts_only_the_values_in_use(fixture_taxonomies):
    from casebook.search.filters import filter_errors

    in_use = {"partners": {"alpha-trust"}}
    assert (
        filter_errors({"partners": ["alpha-trust"]}, ["partners"], fixture_taxonomies, in_use) == []
    )
    assert filter_errors({"partners": ["nobody"]}, ["partners"], fixture_taxonomies, in_use) == [
        "unknown partner 'nobody'"
    ]


def test_a_facet_without_a_taxonomy_is_checked_against_the_index_by_its_name():
    from casebook.search.filters import filter_errors

    assert filter_errors({"extra": ["b"]}, ["extra"], {}, {"extra": {"a", "b"}}) == []
    assert filter_errors({"extra": ["abc"]}, ["extra"], {}, {"extra": {"abd"}}) == [
        "unknown extra 'abc' (did you mean 'abd'?)"
    ]


# -- mutation testing (issue 18): search/whoosh_index.py ------------------------------------


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory):
    """The fixture library's index, built once and only read."""
    from .conftest import FIXTURE_CONTENT

    index_dir = tmp_path_factory.mktemp("fixture-index") / "index"
    catalogue, report = index_content(FIXTURE_CONTENT, index_dir)
    return catalogue, report, SearchIndex(index_dir)


def filler(word, count):
    return " ".join([word] * count)


def test_a_snippet_marks_every_form_of_the_query_words_and_escapes_the_rest():
    from casebook.search.whoosh_index import snippet_for

    assert snippet_for("A keyworker & <b>team</b>", {"keyworker"}, "keyworker") == (
        'A <mark class="match">keyworker</mark> &amp; &lt;b&gt;team&lt;/b&gt;'
    )
    text = "Peer support workers with lived experience of recovery run recovery cafes"
    assert snippet_for(text, {"recov", "peer"}, "recovering") == (
        '<mark class="match">Peer</mark> support workers with lived experience of '
        '<mark class="match">recovery</mark> run <mark class="match">recovery</mark> cafes'
    )
    # the query's own words of three letters or more count too, and only at a word's start
    assert snippet_for("Pub quiz night", set(), "pub quiz") == (
        '<mark class="match">Pub</mark> <mark class="match">quiz</mark> night'
    )
    assert snippet_for("superteam team", {"team"}, "") == (
        'superteam <mark class="match">team</mark>'
    )


def test_a_snippet_is_empty_when_nothing_matches_or_nothing_is_asked():
    from casebook.search.whoosh_index import snippet_for

    assert snippet_for("nothing here", {"keyworker"}, "keyworker") == ""
    assert snippet_for("", {"keyworker"}, "keyworker") == ""
    assert snippet_for("a b c", {"a"}, "a b") == ""  # one-letter stems, two-letter words
    assert snippet_for("Pub quiz night", {"q"}, "qu") == ""


def test_a_long_text_gives_two_windows_cut_at_word_boundaries_with_ellipses():
    from casebook.search.whoosh_index import snippet_for

    text = (
        filler("aa", 50)
        + " Alpha met. "
        + filler("bb", 100)
        + " then beta came "
        + filler("cc", 100)
        + " gamma end"
    )
    assert snippet_for(text, {"alpha", "beta", "gamma"}, "") == (
        "… "
        + filler("aa", 24)
        + ' <mark class="match">Alpha</mark> met. '
        + filler("bb", 47)
        + " … "
        + filler("bb", 22)
        + ' then <mark class="match">beta</mark> came '
        + filler("cc", 47)
        + " …"
    )
    # matches close together share one window, from the start of the text to its end
    assert snippet_for("alpha beta gamma", {"alpha", "gamma"}, "") == (
        '<mark class="match">alpha</mark> beta <mark class="match">gamma</mark>'
    )


def test_the_report_of_an_update_says_what_changed(fixture_index):
    from casebook.search.whoosh_index import IndexReport

    _, report, _ = fixture_index
    assert str(report) == "search index rebuilt: 21 added, 0 changed, 0 removed, 0 unchanged"
    assert str(IndexReport(1, 2, 3, 4)) == (
        "search index updated: 1 added, 2 changed, 3 removed, 4 unchanged"
    )


def test_search_documents_carry_each_pages_text_terms_and_labels(fixture_index):
    catalogue, _, _ = fixture_index
    documents = {document.key: document for document in search_documents(catalogue)}
    no_terms = {name: () for name in catalogue.taxonomies}
    alpha = documents["case_studies/alpha-network.md"]
    assert (alpha.slug, alpha.url, alpha.kind, alpha.title, alpha.headings) == (
        "alpha-network",
        "case_studies/alpha-network/",
        "case_study",
        "Alpha Network",
        "What they did",
    )
    assert alpha.summary.startswith("A test network of homelessness charities")
    assert alpha.body.startswith("The Alpha Network shares a keyworker team")
    assert alpha.facets == {
        "themes": ("collaborative-working", "culture-shift"),
        "principles": ("sharing-resources",),
        "places": ("glasgow-city",),
        "programmes": ("provider-collaborations",),
        "partners": ("alpha-trust", "shared-partner"),
        "focus": ("people-sleeping-rough",),
    }
    assert alpha.labels == (
        "Collaborative working | Culture shift | Effective sharing of resource among partners"
        " | Glasgow City | Provider Collaborations | Alpha Trust | Shared Partner"
        " | people sleeping rough"
    )
    act = documents["policy/test-act.md"]
    assert (act.slug, act.url, act.kind, act.title, act.summary, act.headings) == (
        "test-act",
        "policy/test-act/",
        "policy",
        "The Test Act 2014",
        "A test law.",
        "What it is",
    )
    assert act.facets == no_terms and act.labels == ""
    home = documents["index.md"]  # no title of its own: named from its slug
    assert (home.kind, home.title, home.summary, home.url) == ("page", "Index", "", "")
    place = documents["places/glasgow-city.md"]
    assert (place.slug, place.url, place.kind, place.title, place.labels) == (
        "glasgow-city",
        "places/glasgow-city/",
        "term",
        "Glasgow City",
        "Place",
    )
    assert place.facets == no_terms and place.headings == ""
    agency = documents["principles/citizen-agency.md"]
    assert (agency.summary, agency.body) == (
        "Choice and power for citizens.",
        "How do we put citizens first?",
    )
    assert len(documents) == 21


def test_a_guide_is_its_own_kind_and_an_empty_page_is_not_indexed(content):
    write(content, "guides/how-to.md", "---\ntitle: How to\nsummary: 12\n---\n\nSteps.\n")
    write(content, "blank.md", "---\ntitle: Blank\n---\n\n   \n")
    catalogue, _ = load_catalogue(content, today=TODAY)
    documents = {document.key: document for document in search_documents(catalogue)}
    guide = documents["guides/how-to.md"]
    assert (guide.kind, guide.title, guide.summary, guide.url) == (
        "guide",
        "How to",
        "",  # a summary that is not text is left out
        "guides/how-to/",
    )
    assert "blank.md" not in documents


def test_the_same_schema_twice_is_equal_and_the_body_analyzer_is_its_own():
    from casebook.search.whoosh_index import WordAnalyzer, analyzer, build_schema

    assert build_schema(["themes"]) == build_schema(["themes"])
    assert WordAnalyzer() == WordAnalyzer() and WordAnalyzer() != analyzer()


def test_odd_queries_are_read_as_plain_words_and_say_so(fixture_index):
    _, _, index = fixture_index
    expected = {
        "": (0, "nothing to search for"),
        "   ": (0, "nothing to search for"),
        "the": (0, "nothing to search for"),
        "AND": (0, "searched for the words: and"),
        "OR NOT": (0, "searched for the words: or not"),
        '"pub quiz': (1, "searched for the words: pub quiz"),
        "pub AND (quiz": (1, "searched for the words: pub and quiz"),
        "pub quiz": (1, None),
    }
    for query, (total, note) in expected.items():
        results = index.search(query)
        assert (results.total, results.note, len(results.hits)) == (total, note, total), query
        assert results.query == query.strip()


def test_case_studies_and_policy_pages_come_before_term_pages(fixture_index):
    _, _, index = fixture_index
    results = index.search("glasgow")
    assert [(hit.slug, hit.kind) for hit in results.hits] == [
        ("alpha-network", "case_study"),
        ("glasgow-city", "term"),
    ]
    assert results.hits[0].score < results.hits[1].score  # listed first all the same
    assert results.total == 2
    first = index.search("glasgow", limit=1)
    assert [hit.slug for hit in first.hits] == ["alpha-network"] and first.total == 2
    terms = index.search("glasgow", kind="term")
    assert [hit.slug for hit in terms.hits] == ["glasgow-city"] and terms.total == 1


def test_a_hit_is_what_the_api_and_the_cli_print(fixture_index):
    _, _, index = fixture_index
    hit = index.search("keyworker").hits[0]
    data = hit.as_json()
    score = data.pop("score")
    assert data == {
        "slug": "alpha-network",
        "title": "Alpha Network",
        "url": "case_studies/alpha-network/",
        "kind": "case_study",
        "snippet": 'The Alpha Network shares a <mark class="match">keyworker</mark> team across '
        'organisations. What they did <mark class="match">Keyworkers</mark> from several '
        "charities formed one team.",
        "themes": ["collaborative-working", "culture-shift"],
    }
    assert score > 0 and score == round(score, 4) and score != round(score, 3)
    # no match in the body: the summary's; a term page has no themes
    glasgow = index.search("glasgow").hits
    assert glasgow[0].snippet == (
        'A test network of homelessness charities in <mark class="match">Glasgow</mark> '
        "sharing one keyworker team."
    )
    assert glasgow[1].themes == []


def test_a_hit_with_no_matching_text_shows_its_summary_escaped():
    from casebook.search.whoosh_index import SearchIndex as Index

    class Stored(dict):
        score = 1.23456

    hit = Index._hit(
        None,
        Stored(slug="s", title="T", url="u", kind="page", body="", summary="a <b> & c"),
        "zzz",
        {"zzz"},
    )
    assert (hit.snippet, hit.themes, hit.score) == ("a &lt;b&gt; &amp; c", [], 1.2346)


def test_few_results_get_a_suggestion_and_enough_do_not(fixture_index):
    from casebook.search.vocabulary import FEW_RESULTS

    _, _, index = fixture_index
    assert index.search("kewyorker").corrected == "keyworker"
    assert index.search("test", limit=50).total >= FEW_RESULTS
    assert index.search("test").corrected is None


def test_the_facets_and_their_values_are_read_from_the_index(fixture_index):
    _, _, index = fixture_index
    assert index.facets == ["focus", "partners", "places", "principles", "programmes", "themes"]
    values = index.values_in_use()
    assert values["themes"] == {"collaborative-working", "culture-shift", "lived-experience"}
    assert values["partners"] == {
        "alpha-trust",
        "another-body",
        "beta-group",
        "gamma-team",
        "shared-partner",
    }
    assert all(isinstance(value, str) for values in values.values() for value in values)


def test_query_text_helpers_keep_one_line_and_plain_words():
    from casebook.search.whoosh_index import _balanced, one_line, plain_words

    assert one_line(" a\x00b\u2028c\r\n\t d\x85e ") == "a b c d e"
    assert plain_words("AND or NOT x's co-op (y) TO") == "and or not x's co-op y to"
    assert [_balanced(t) for t in ("(a)", "[a]", "{a}", '"a"', "a")] == [True] * 5
    assert [_balanced(t) for t in ("(a", ")(", "[a}", '"a', "a]", "{")] == [False] * 6


def test_index_damage_names_the_file_or_the_checksums_at_fault(fixture_index, tmp_path):
    import json
    import shutil

    from casebook.search.whoosh_index import CHECKSUM_FILE, index_damage

    _, _, index = fixture_index
    copy = tmp_path / "copy"
    shutil.copytree(index.index_dir.resolve(), copy)
    assert index_damage(copy) is None
    recorded = json.loads((copy / CHECKSUM_FILE).read_text())
    assert sorted(recorded) == sorted(p.name for p in copy.iterdir() if p.name != CHECKSUM_FILE)
    name = max(recorded, key=lambda n: recorded[n][0])
    assert recorded[name][0] == (copy / name).stat().st_size
    data = (copy / name).read_bytes()
    (copy / name).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, one bit
    assert index_damage(copy) == f"{name} is not as written (size or checksum differs)"
    (copy / name).unlink()
    assert index_damage(copy) == f"{name} is missing"
    (copy / CHECKSUM_FILE).write_text("[]")
    assert index_damage(copy) == "its checksums cannot be read: not a JSON object"
    (copy / CHECKSUM_FILE).write_text("{")
    assert index_damage(copy).startswith("its checksums cannot be read: Expecting")
    (copy / CHECKSUM_FILE).unlink()
    assert index_damage(copy) == "it has no checksums"
    assert not list(copy.glob(f".{CHECKSUM_FILE}.tmp"))


def test_a_damaged_index_is_rebuilt_with_one_warning(content, tmp_path, caplog):
    import logging

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    live = index_dir.resolve()
    segment = max(live.iterdir(), key=lambda p: p.stat().st_size)
    segment.write_bytes(bytes(segment.stat().st_size))
    with caplog.at_level(logging.WARNING, logger="casebook.search"):
        _, report = index_content(content, index_dir)
    assert report.rebuilt and report.added == 21
    assert [r.getMessage() for r in caplog.records] == [
        f"the search index {index_dir} is damaged ({segment.name} is not as written "
        "(size or checksum differs)); rebuilding it"
    ]
    assert slugs(SearchIndex(index_dir).search("keyworker")) == ["alpha-network"]


# Whoosh leaves the damaged file open when reading it fails (a segment's reader is half
# made; the table of contents is read to answer "does an index exist?"); the index is
# rebuilt all the same, and the file is closed when collected.
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "pattern,error",
    [("*.seg", "UnpicklingError: "), ("*.toc", "IndexError: ")],
    ids=["segment", "table of contents"],
)
def test_checksums_that_match_an_unreadable_file_rebuild_the_index(
    content, tmp_path, caplog, pattern, error
):
    import gc
    import logging

    from casebook.search.whoosh_index import write_checksums

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    live = index_dir.resolve()
    damaged = max(live.glob(pattern), key=lambda p: p.stat().st_size)
    damaged.write_bytes(bytes(damaged.stat().st_size))
    write_checksums(live)
    with caplog.at_level(logging.WARNING, logger="casebook.search"):
        _, report = index_content(content, index_dir)
    gc.collect()
    assert report.rebuilt and report.added == 21
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(
        f"the search index {index_dir} is damaged (it cannot be read: {error}"
    )
    assert message.endswith("); rebuilding it")
    assert slugs(SearchIndex(index_dir).search("keyworker")) == ["alpha-network"]


def test_an_unreadable_signature_rebuilds_the_index(content, tmp_path):
    from casebook.search.whoosh_index import SIGNATURE_FILE

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    (index_dir / SIGNATURE_FILE).write_bytes(b"\xff\xfe")
    _, report = index_content(content, index_dir)
    assert report.rebuilt and report.added == 21
    assert (index_dir / SIGNATURE_FILE).read_text() == (
        f"{search_module.SCHEMA_VERSION}:focus,partners,places,principles,programmes,themes"
    )


def test_a_staged_copy_is_beside_the_live_index_and_discarding_it_leaves_that_whole(
    content, tmp_path
):
    import os

    index_dir = tmp_path / "index"
    catalogue, _ = index_content(content, index_dir)
    write(content, "case_studies/delta.md", VALID_CASE)
    catalogue, _ = load_catalogue(content, today=TODAY)
    staged = stage_index(index_dir, search_documents(catalogue), catalogue.taxonomies)
    assert staged.path == tmp_path / f".index.staging-{os.getpid()}"
    assert (staged.report.added, staged.report.unchanged) == (3, 21)  # delta, 2 new terms
    staged.discard()
    assert not staged.path.exists()
    staged.discard()  # again, after a cleanup that got there first: nothing to do
    assert SearchIndex(index_dir).search("delta project").hits == []
    assert entries(tmp_path) == ["content", "index"]


def test_a_missing_or_removed_index_is_reported_as_missing(content, tmp_path):
    import shutil

    from casebook.search.whoosh_index import IndexMissing

    with pytest.raises(IndexMissing):
        SearchIndex(tmp_path / "nowhere")
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    index = SearchIndex(index_dir)
    shutil.rmtree(index_dir.resolve())
    index_dir.unlink()
    with pytest.raises(IndexMissing):
        index.search("keyworker")
    index.close()
    index.close()  # twice is harmless


def test_a_damaged_generation_is_reported_on_every_search_until_a_rebuild(content, tmp_path):
    from casebook.search.whoosh_index import IndexDamaged

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    index = SearchIndex(index_dir)
    # a new generation swapped in, damaged: the open index finds it on its next search
    write(content, "case_studies/delta.md", VALID_CASE)
    index_content(content, index_dir)
    live = index_dir.resolve()
    segment = max(live.glob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(bytes(segment.stat().st_size))
    with pytest.raises(IndexDamaged) as first:
        index.search("delta")
    with pytest.raises(IndexDamaged) as second:
        index.search("delta")
    assert second.value is first.value  # checked once per generation
    assert str(first.value) == (
        f"the search index at {index_dir} is damaged "
        f"({segment.name} is not as written (size or checksum differs))"
    )
    index_content(content, index_dir)  # the next build repairs it
    assert slugs(index.search("delta project")) == ["delta"]


def test_windows_that_touch_or_overlap_make_one_fragment_and_short_stems_still_mark():
    from casebook.search.whoosh_index import snippet_for

    def with_second_word_at(offset):
        text = filler("d", 50) + " alpha "
        text += filler("e", (offset - 6) // 2) + " omega " + filler("f", 100)
        assert text.index("omega") - text.index("alpha") == offset
        return snippet_for(text, {"alpha", "omega"}, "")

    for offset in (100, 220):  # overlapping windows, then windows that just touch
        snippet = with_second_word_at(offset)
        assert snippet.startswith("… ") and snippet.endswith(" …")
        assert snippet.count(" … ") == 0, offset  # one fragment, nothing shown twice
        assert snippet.count("<mark") == 2
    assert with_second_word_at(222).count(" … ") == 1  # apart: two fragments
    # a word that starts the text is never cut, even when the window starts inside it
    text = "ab " + "c " * 34 + "keyworker and more"
    assert snippet_for(text, {"keyworker"}, "") == (
        "… ab " + filler("c", 34) + ' <mark class="match">keyworker</mark> and more'
    )
    assert snippet_for("We go on", {"go"}, "go") == 'We <mark class="match">go</mark> on'


def test_words_read_as_plain_words_keep_their_case_except_operators(fixture_index):
    _, _, index = fixture_index
    assert index.search('"Pub Quiz').note == "searched for the words: Pub Quiz"
    assert index.search('"Pub AND Quiz').note == "searched for the words: Pub and Quiz"


def test_the_any_word_fallback_keeps_the_filters_and_symbols_alone_search_nothing(
    fixture_index,
):
    _, _, index = fixture_index
    results = index.search("keyworker quiz", {"places": ["inverclyde"]})
    assert slugs(results) == ["beta-connections"]  # not alpha, which is in Glasgow
    assert slugs(index.search("keyworker quiz", kind="policy")) == []
    assert index.search("((").note == "nothing to search for"


# -- issue 13: one pass, exact totals and Whoosh's own ranking ------------------------------


def exact_results(index: SearchIndex, text: str, filters: dict, kind: str | None, limit: int):
    """(total, slugs, scores) as the search promises them, worked out the long way: every
    match scored by plain Whoosh (BM25F, no limit), case studies and policy pages first,
    then by score, equal scores in index order; any word when no page has them all."""
    from whoosh.query import And, Or, Term

    conditions = [Or([Term(name, value) for value in values]) for name, values in filters.items()]
    conditions += [Term("kind", kind)] if kind else []
    restrict = And(conditions) if conditions else None
    with index._ix.searcher() as searcher:
        results = searcher.search(index.parse(text)[0], filter=restrict, limit=None)
        if results.is_empty() and len(text.split()) > 1:
            query = index.parse(text, any_word=True)[0]
            results = searcher.search(query, filter=restrict, limit=None)
        ranked = sorted(
            (hit["kind"] not in ("case_study", "policy"), -hit.score, hit.docnum, hit["slug"])
            for hit in results
        )
        best = ranked[:limit]
        return len(ranked), [row[3] for row in best], [round(-row[1], 4) for row in best]


@pytest.fixture(scope="module")
def library_index(tmp_path_factory):
    from .search_data import index_library

    return SearchIndex(index_library(tmp_path_factory.mktemp("library") / "index"))


LIBRARY_QUERIES = [
    "care",
    "team",
    "library clinic",
    "care home",
    "care team plan",
    "nurse visit night budget",
    "peer support",
    "lighthouse",
    "school lighthouse",
    '"care home"',
    "care NOT home",
    "car*",
    "title:care",
    "care^3 home",
]


@pytest.mark.parametrize("text", LIBRARY_QUERIES)
def test_totals_are_exact_and_the_best_pages_come_first_kind_before_score(library_index, text):
    for filters, kind, limit in [
        ({}, None, 10),
        ({}, None, 1),
        ({}, "case_study", 5),
        ({}, "term", 10),
        ({"themes": ["culture-shift"]}, None, 10),
        ({"themes": ["culture-shift", "lived-experience"]}, "policy", 3),
    ]:
        results = library_index.search(text, filters, kind, limit)
        found = (results.total, slugs(results), [hit.score for hit in results.hits])
        assert found == exact_results(library_index, text, filters, kind, limit), (
            text,
            filters,
            kind,
            limit,
        )


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab -_.1é", max_size=24), st.text(alphabet="ab -_.é", min_size=1, max_size=3)
)
def test_a_snippet_finds_a_words_start_where_the_regular_expression_would(text, prefix):
    import re

    expected = re.search(rf"\b{re.escape(prefix)}", text)
    found = search_module._word_start(text, prefix)
    assert found == (expected.start() if expected else None)


# -- issue 13: an update reads only what changed ---------------------------------------------

LIBRARY_TEXT = st.lists(st.text(alphabet="abc é1-", max_size=12), max_size=6)


@settings(max_examples=200, deadline=None)
@given(LIBRARY_TEXT, st.integers(0, 6), LIBRARY_TEXT)
def test_a_vocabulary_updated_by_what_changed_is_the_one_counted_afresh(texts, cut, added):
    from casebook.search.vocabulary import build_vocabulary, updated_vocabulary

    kept, removed = texts[:cut], texts[cut:]
    updated = updated_vocabulary(build_vocabulary(texts), removed, build_vocabulary(added))
    expected = build_vocabulary(kept + added)
    assert list(updated.items()) == list(expected.items())  # the same words, in order


def test_an_update_counts_only_the_changed_pages_words_and_gets_the_whole_vocabulary(
    content, tmp_path, monkeypatch
):
    from casebook.search.vocabulary import VOCABULARY_FILE, read_vocabulary

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    alpha = content / "case_studies/alpha-network.md"
    alpha.write_text(alpha.read_text().replace("one team.", "one lighthouse team."))
    (content / "case_studies/gamma-pilot.md").unlink()
    write(content, "case_studies/delta.md", VALID_CASE)
    counted = []
    whole = search_module.documents_vocabulary
    monkeypatch.setattr(
        search_module,
        "documents_vocabulary",
        lambda documents: counted.append(len(documents)) or whole(documents),
    )
    catalogue, report = index_content(content, index_dir)
    assert (report.added, report.changed, report.removed) == (3, 1, 4)
    assert counted == [4]  # delta, its two new terms' pages, alpha
    vocabulary = read_vocabulary(index_dir / VOCABULARY_FILE)
    assert list(vocabulary.items()) == list(whole(search_documents(catalogue)).items())
    assert "lighthouse" in vocabulary and "pilot" not in vocabulary  # gamma went


@pytest.mark.parametrize("hashes", [None, "[]", "{"], ids=["missing", "not an object", "bad"])
def test_an_index_without_readable_hashes_is_rebuilt_with_one_warning(
    content, tmp_path, caplog, hashes
):
    import logging

    from casebook.search.whoosh_index import HASHES_FILE, write_checksums

    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    live = index_dir.resolve()
    if hashes is None:
        (live / HASHES_FILE).unlink()
    else:
        (live / HASHES_FILE).write_text(hashes)
    write_checksums(live)
    with caplog.at_level(logging.WARNING, logger="casebook.search"):
        _, report = index_content(content, index_dir)
    assert report.rebuilt and report.added == 21
    (message,) = [record.getMessage() for record in caplog.records]
    assert message.startswith(f"the search index {index_dir} is damaged (it cannot be read: ")
    assert slugs(SearchIndex(index_dir).search("keyworker")) == ["alpha-network"]


def test_a_documents_hash_tells_its_body_from_its_other_fields():
    document = search_documents(load_catalogue(FIXTURE_CONTENT)[0])[0]
    moved = dataclasses.replace(
        document, body=document.body[:-4], labels=document.labels + document.body[-4:]
    )
    assert moved.content_hash() != document.content_hash()
    assert len(document.content_hash()) == 32


def test_records_go_to_memory_only_where_it_has_room(tmp_path, monkeypatch):
    """A container's /dev/shm is often 64 MB: a library larger than it fits goes to the
    system's temporary folder instead of failing the bundle."""
    memory = tmp_path / "memory"
    memory.mkdir()
    monkeypatch.setattr(pagefind_cli, "MEMORY_FOLDER", memory)
    free = os.statvfs(memory)
    room = free.f_bavail * free.f_frsize
    assert pagefind_cli.scratch_parent(room // 2) == str(memory)
    assert pagefind_cli.scratch_parent(room * 2) is None
    monkeypatch.setattr(pagefind_cli, "MEMORY_FOLDER", tmp_path / "none")
    assert pagefind_cli.scratch_parent(1) is None


def test_a_killed_runs_scratch_folder_is_removed_by_the_next_run(tmp_path, monkeypatch):
    """Killed, a build's second process leaves its records behind; in memory they would
    stay until the machine restarts. Another process's, still running, is kept."""
    fake_pagefind(tmp_path, monkeypatch, FILES)
    memory = tmp_path / "memory"
    dead = memory / f"{pagefind_cli.SCRATCH_PREFIX}4194999-abc"  # no such process
    (dead / "site").mkdir(parents=True)
    running = memory / f"{pagefind_cli.SCRATCH_PREFIX}{os.getppid()}-xyz"
    running.mkdir()
    other = memory / "someone-else-4194999-abc"
    other.mkdir()
    pagefind_cli.index_pages([("/a/", "<p>A</p>")])
    assert sorted(p.name for p in memory.iterdir()) == sorted([running.name, other.name])
