"""The Whoosh search index: built from the Catalogue, updated incrementally by content
hash, written aside and swapped in so a failed update never breaks the live index.

Over 250 lines because the schema and analyzer, building, and searching (the sections
below, marked `# --`) share one schema's private details: its fields, its version and
the stem cache. A split would export those to three modules for no reader's benefit.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import shutil
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import (
    STOP_WORDS,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.query import And, NullQuery, Or, Query, Term

from ..content.model import Catalogue, page_url, term_src_uri
from ..site.directories import swap_directory
from .plain_text import headings, plain_text
from .ranking import LengthCachedBM25F, all_words_matches, word_terms
from .vocabulary import (
    FEW_RESULTS,
    VOCABULARY_FILE,
    build_vocabulary,
    read_vocabulary,
    suggest,
    updated_vocabulary,
    vocabulary_json,
)
from .whoosh_format import GroupedPositions
from .whoosh_writer import IndexWriter

# Bump when the fields, the analysis, the content hash or the vocabulary's words change:
# an index of another version is rebuilt whole. (5: headings and labels stored, so an
# update can take a changed page's old words out of the vocabulary. 6: every text field
# analysed by WordAnalyzer into GroupedPositions; the postings are the same, but an older
# index's schema would keep updating it the slower way.)
SCHEMA_VERSION = 6
SIGNATURE_FILE = "casebook-schema.txt"
# Each document's content hash by key, written with the index: an update compares these
# rather than reading every stored document (bodies and all) back out of the index.
HASHES_FILE = "casebook-hashes.json"
# Size and SHA-256 of every file of the index, written after each update and checked
# before an index is reused or opened: a truncated or zeroed segment is found there,
# rather than reused by every later build or failing searches for good.
CHECKSUM_FILE = "casebook-checksums.json"
log = logging.getLogger("casebook.search")
# Whoosh's in-memory pool of postings before it spills them to disk and merges the runs
# (a pickle per posting each way). At 5,000 cases a 256 MB pool spilled and the full index
# took 45 s; at 1,024 MB it took 33 s, with peak memory 499 MB -> 550 MB (Whoosh's size
# estimate is far above what the pool really holds). Larger libraries still spill, safely.
WRITER_POOL_MB = 1024
# The kinds of page listed first, before guides, pages and term pages.
FIRST_KINDS = ("case_study", "policy")
TEXT_FIELDS = {"title": 4.0, "summary": 2.0, "headings": 2.0, "labels": 2.0, "body": 1.0}


def stem(word: str) -> str:
    """Snowball English (Porter2), the stemmer Pagefind uses in the browser, so both
    engines conflate the same word families ("evaluating" and "evaluation" both stem to
    "evalu"; the original Porter split them). Plus one rule: nouns in -ery share the stem
    of their verb in -er, so "recovery" finds "recover" and "delivery" finds "deliver"
    (Pagefind reaches those by matching the query word as a prefix)."""
    stemmed = porter2_stem(word)
    if stemmed.endswith("eri") and len(stemmed) >= 7:
        return stemmed[:-3]
    return stemmed


def analyzer():
    """Whoosh's chain of filters that WordAnalyzer, which every text field uses, does in
    one loop: the definition tests compare it with."""
    return RegexTokenizer() | LowercaseFilter() | StopFilter() | StemFilter(stemfn=stem)


# One cache for every caller (the text fields' analyzer here, similarity.py): a library's
# vocabulary is a few tens of thousands of words, each stemmed once.
cached_stem = lru_cache(maxsize=200_000)(stem)


class _IndexedWords(dict):
    """Each word as written, mapped to what a text field indexes for it: its stem, or ""
    for a stop word or a one-letter word. One dictionary lookup a word, where lowercasing,
    the stop list and the stem cache were three."""

    LIMIT = 200_000  # spellings kept; past it the memo starts again (a long-lived server)

    def __missing__(self, word: str) -> str:
        lowered = word.lower()
        stopped = len(lowered) < WordAnalyzer._MINSIZE or lowered in WordAnalyzer._STOPS
        term = "" if stopped else cached_stem(lowered)
        if len(self) >= self.LIMIT:
            self.clear()
        self[word] = term
        return term


_INDEXED_WORDS = _IndexedWords()
# A word as written -> what a text field indexes for it ("" for none), memoised.
indexed_term = _INDEXED_WORDS.__getitem__


class WordAnalyzer(Tokenizer):
    """analyzer() in one loop: the same tokens, positions and offsets (a test compares
    them over random text), without a generator and a token hand-off per filter. Bodies
    are most of the indexing work, and the four-stage chain was over half of it
    (cProfile, 1,000 cases)."""

    is_morph = True
    _WORD = RegexTokenizer().expression  # its default pattern, whatever the version
    _WHOLE = re.compile(r"\A.*\Z", re.S)  # tokenize=False: the value is the one token
    _STOPS = frozenset(STOP_WORDS)
    _MINSIZE = 2  # StopFilter's default
    # _WORD's matches, by a pattern with no capturing group, so that findall gives whole
    # words: Whoosh's [\w\*]+(\.?[\w\*]+)* less its group and its optional dot, which
    # match nothing the + does not (tests compare the two over random text).
    _WORDS = re.compile(r"[\w*]+(?:\.[\w*]+)*")

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def word_positions(self, value: str) -> dict[str, list[int]]:
        """Each word `value` indexes, with its positions, in order of first appearance:
        the tokens `self(value, positions=True)` yields, grouped by word. For the text
        fields' format (whoosh_format.py): a findall and a lookup a word, where a Token
        object a word was most of the index's build."""
        words = list(map(_INDEXED_WORDS.__getitem__, self._WORDS.findall(value)))
        # Positions count on from the first word kept, which keeps its place among all
        # the words (as __call__ numbers them).
        first = next((number for number, word in enumerate(words) if word), 0)
        positions: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(filter(None, words), first):
            positions[word].append(position)
        return positions

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pattern = self._WORD
        if not tokenize:
            token.original = value  # as RegexTokenizer does for an untokenised value
            pattern = self._WHOLE
        stops, minsize, kept_pos = self._STOPS, self._MINSIZE, None
        for number, match in enumerate(pattern.finditer(value)):
            text = match.group(0)
            lowered = text.lower()
            stopped = len(lowered) < minsize or lowered in stops
            if stopped and removestops:
                continue
            token.boost = 1.0
            if keeporiginal:
                token.original = text
            if positions:
                if stopped:
                    token.pos = start_pos + number
                else:  # StopFilter renumbers the words it keeps from the first one on
                    kept_pos = start_pos + number if kept_pos is None else kept_pos + 1
                    token.pos = kept_pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            token.stopped = stopped
            token.text = lowered if stopped else cached_stem(lowered)
            yield token


def text_field(boost: float) -> TEXT:
    """A stored, stemmed text field. Its format is Whoosh's Positions, given each word's
    positions by the analyzer at once: what the index holds is the same."""
    field = TEXT(analyzer=WordAnalyzer(), stored=True, field_boost=boost)
    field.format = GroupedPositions(field_boost=boost)
    return field


def build_schema(facets: Iterable[str]) -> Schema:
    fields = {
        "key": ID(stored=True, unique=True),
        "slug": ID(stored=True),
        "url": STORED(),
        "kind": ID(stored=True),
        "hash": STORED(),
        # No spelling=True: "did you mean" uses the vocabulary file, as the browser does.
        "title": text_field(TEXT_FIELDS["title"]),
        "summary": text_field(TEXT_FIELDS["summary"]),
        "headings": text_field(TEXT_FIELDS["headings"]),
        # The labels of the page's terms ("Lived experience"), so a theme's name finds
        # every case study tagged with it, not only those whose text uses the words.
        "labels": text_field(TEXT_FIELDS["labels"]),
        "body": text_field(TEXT_FIELDS["body"]),
    }
    for name in facets:
        fields[name] = KEYWORD(stored=True, commas=True, scorable=False)
    return Schema(**fields)


# Between the headings, and between the labels, of a search document's text fields.
LIST_SEPARATOR = " | "


@dataclass(frozen=True)
class SearchDocument:
    key: str  # the source file, unique across kinds
    slug: str
    url: str
    kind: str  # case_study | policy | guide | page
    title: str
    summary: str
    headings: str
    body: str
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: str = ""  # the labels of the terms in `facets`, LIST_SEPARATOR-separated

    def content_hash(self) -> str:
        # Every field but the body as JSON (vars(): any field added later is in it), then
        # the body's bytes after their length. JSON-encoding the bodies too was 70 ms of
        # an update at 1,000 cases; hashing them as bytes is 8.
        rest = {name: value for name, value in vars(self).items() if name != "body"}
        hasher = hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode())
        body = self.body.encode()
        hasher.update(b"%d:" % len(body))
        hasher.update(body)
        return hasher.hexdigest()[:32]

    def fields(self) -> dict[str, str]:
        values = {
            "key": self.key,
            "slug": self.slug,
            "url": self.url,
            "kind": self.kind,
            "hash": self.content_hash(),
            "title": self.title,
            "summary": self.summary,
            "headings": self.headings,
            "body": self.body,
            "labels": self.labels,
        }
        values.update({name: ",".join(terms) for name, terms in self.facets.items()})
        return values

    def texts(self) -> tuple[str, ...]:
        """Every searchable text, in the order of TEXT_FIELDS."""
        return (self.title, self.summary, self.headings, self.labels, self.body)


def documents_vocabulary(documents: Iterable[SearchDocument]) -> dict[str, int]:
    """The words of every searchable text: what "did you mean" chooses from."""
    return build_vocabulary(text for document in documents for text in document.texts())


def search_documents(catalogue: Catalogue) -> list[SearchDocument]:
    """One document per case study, policy page, guide and term page."""
    documents = []
    names = list(catalogue.taxonomies)
    for case in catalogue.case_studies:
        documents.append(
            SearchDocument(
                key=case.src_uri,
                slug=case.slug,
                url=case.url,
                kind="case_study",
                title=case.title,
                summary=case.summary,
                headings=LIST_SEPARATOR.join(headings(case.body)),
                body=plain_text(case.body),
                facets={name: tuple(case.term_slugs(name)) for name in names},
                labels=LIST_SEPARATOR.join(
                    term.label for name in names for term in case.terms.get(name, ())
                ),
            )
        )
    for document in catalogue.documents.values():
        if document.kind == "case_study" or not document.body.strip():
            continue
        kind = "guide" if document.src_uri.startswith("guides/") else document.kind
        title = document.meta.get("title") if isinstance(document.meta.get("title"), str) else ""
        summary = document.meta.get("summary")
        documents.append(
            SearchDocument(
                key=document.src_uri,
                slug=document.slug,
                url=page_url(document.src_uri),
                kind=kind,
                title=title or document.slug.replace("-", " ").capitalize(),
                summary=summary if isinstance(summary, str) else "",
                headings=LIST_SEPARATOR.join(headings(document.body)),
                body=plain_text(document.body),
                facets={name: () for name in names},
            )
        )
    # Each term's page, found by its name ("Glasgow City") and description; listed after
    # the pages about it. An author's own page at the same place is indexed above.
    keys = {document.key for document in documents}
    for name, taxonomy in catalogue.taxonomies.items():
        for term in catalogue.terms_with_pages(name):
            key = term_src_uri(term)
            if key in keys:
                continue
            documents.append(
                SearchDocument(
                    key=key,
                    slug=term.slug,
                    url=page_url(key),
                    kind="term",
                    title=term.label,
                    summary=term.description,
                    headings="",
                    body=" ".join(term.questions),
                    # no facets: a filter by theme lists the case studies, not the index
                    facets={other: () for other in names},
                    labels=taxonomy.singular,
                )
            )
    return documents


# -- building ---------------------------------------------------------------------------


@dataclass
class IndexReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    rebuilt: bool = False

    def __str__(self) -> str:
        how = "rebuilt" if self.rebuilt else "updated"
        return (
            f"search index {how}: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged"
        )


def signature(facets: Iterable[str]) -> str:
    return f"{SCHEMA_VERSION}:{','.join(sorted(facets))}"


@dataclass
class StagedIndex:
    """An updated copy of the index, not yet live."""

    path: Path
    live: Path
    report: IndexReport

    def publish(self) -> None:
        swap_directory(self.path, self.live)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def update_index(
    index_dir: Path, documents: list[SearchDocument], facets: Iterable[str]
) -> IndexReport:
    """Bring the index at `index_dir` in line with `documents`, touching only what changed."""
    staged = stage_index(index_dir, documents, facets)
    staged.publish()
    return staged.report


def staging_path(index_dir: Path) -> Path:
    return Path(index_dir).with_name(f".{Path(index_dir).name}.staging-{os.getpid()}")


def stage_index(
    index_dir: Path,
    documents: list[SearchDocument],
    facets: Iterable[str],
    staging: Path | None = None,
    vocabulary: dict[str, int] | None = None,
) -> StagedIndex:
    """Update a copy of the live index beside it. The live index is untouched until
    `publish()`, so a build that fails part-way leaves it whole and queryable. A live
    index that fails its checksums is not reused: the copy is rebuilt whole. Without a
    `vocabulary`, the live one is updated from the words of the pages that changed."""
    facets = list(facets)
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = staging or staging_path(index_dir)
    shutil.rmtree(staging, ignore_errors=True)
    report = IndexReport()
    ix, current = _reusable_copy(index_dir, staging, facets)
    if ix is None:
        staging.mkdir()
        ix = whoosh_index.create_in(str(staging), build_schema(facets))
        report.rebuilt = True
    try:
        wanted = {document.key: document for document in documents}
        hashes = {key: document.content_hash() for key, document in wanted.items()}
        stale = [key for key, digest in current.items() if hashes.get(key) != digest]
        with ix.searcher() as searcher:  # before the writer deletes them
            old_texts = [text for key in stale for text in _stored_texts(searcher, key)]
        _write_changes(ix, current, wanted, hashes, report)
        if vocabulary is None:
            fresh = [wanted[key] for key in wanted if current.get(key) != hashes[key]]
            vocabulary = _updated_vocabulary(staging, documents, old_texts, fresh)
        (staging / VOCABULARY_FILE).write_text(vocabulary_json(vocabulary), encoding="utf-8")
        (staging / HASHES_FILE).write_text(json.dumps(hashes), encoding="utf-8")
        (staging / SIGNATURE_FILE).write_text(signature(facets), encoding="utf-8")
        ix.close()
        write_checksums(staging)
    except BaseException:
        ix.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedIndex(staging, index_dir, report)


def _reusable_copy(index_dir: Path, staging: Path, facets: list[str]):
    """The live index copied to `staging` and opened, with its documents' content hashes;
    (None, {}) when there is none of this schema, or it is damaged (said as a warning)."""
    if not _compatible(index_dir, facets):
        return None, {}
    shutil.copytree(index_dir, staging)
    damage = index_damage(staging)
    if damage is None:
        ix = None
        try:
            ix = whoosh_index.open_dir(str(staging))
            ix.searcher().close()  # opens every segment: where a damaged one fails
            return ix, read_hashes(staging)
        except Exception as error:  # what Whoosh raises on a damaged index varies
            damage = f"it cannot be read: {type(error).__name__}: {error}"
            if ix is not None:
                ix.close()
    log.warning(f"the search index {index_dir} is damaged ({damage}); rebuilding it")
    shutil.rmtree(staging, ignore_errors=True)
    return None, {}


def read_hashes(index_dir: Path) -> dict[str, str]:
    hashes = json.loads((Path(index_dir) / HASHES_FILE).read_text(encoding="utf-8"))
    if not isinstance(hashes, dict):
        raise ValueError(f"{HASHES_FILE} is not a JSON object")
    return hashes


def _stored_texts(searcher, key: str) -> list[str]:
    """The searchable texts the index holds for the document at `key`."""
    fields = searcher.document(key=key) or {}
    return [fields.get(name, "") for name in TEXT_FIELDS]


def _write_changes(ix, current: dict, wanted: dict, hashes: dict, report: IndexReport) -> None:
    """Delete, add and replace documents so the index holds `wanted`; count each in
    `report`. Nothing is committed when nothing changed."""
    writer = IndexWriter(ix, limitmb=WRITER_POOL_MB)
    try:
        for key in current.keys() - wanted.keys():
            writer.delete_by_term("key", key)
            report.removed += 1
        for key, document in wanted.items():
            if current.get(key) == hashes[key]:
                report.unchanged += 1
                continue
            if key in current:
                report.changed += 1
            else:
                report.added += 1
            writer.update_document(**document.fields())
        if report.added or report.changed or report.removed or report.rebuilt:
            writer.commit()
        else:
            writer.cancel()
    except BaseException:
        writer.cancel()
        raise


def _updated_vocabulary(
    staging: Path, documents: list[SearchDocument], old_texts: list[str], fresh: list
) -> dict[str, int]:
    """The index's vocabulary without the words of the texts that went and with those of
    the documents that came: the whole library's words were 300 ms of a one-page update
    at 1,000 cases. A new index (or none readable) counts every document's words."""
    previous = read_vocabulary(staging / VOCABULARY_FILE)
    if not previous:
        return documents_vocabulary(documents)
    return updated_vocabulary(previous, old_texts, documents_vocabulary(fresh))


def _compatible(index_dir: Path, facets: list[str]) -> bool:
    marker = index_dir / SIGNATURE_FILE
    try:
        if not (marker.is_file() and marker.read_text(encoding="utf-8") == signature(facets)):
            return False
    except (OSError, ValueError):  # unreadable or not text: not an index to reuse
        return False
    try:
        return whoosh_index.exists_in(str(index_dir))
    except Exception:  # an index is there, but Whoosh cannot read its table of contents:
        return True  # opening it in stage_index reports that as damage, and rebuilds


def _checksums(index_dir: Path) -> dict[str, list]:
    sums = {}
    for path in sorted(Path(index_dir).iterdir()):
        if path.name == CHECKSUM_FILE or not path.is_file():
            continue
        hasher = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                hasher.update(chunk)
        sums[path.name] = [path.stat().st_size, hasher.hexdigest()]
    return sums


def write_checksums(index_dir: Path) -> None:
    text = json.dumps(_checksums(index_dir), indent=0, sort_keys=True)
    temporary = Path(index_dir) / f".{CHECKSUM_FILE}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, Path(index_dir) / CHECKSUM_FILE)


def index_damage(index_dir: Path) -> str | None:
    """Why the index at `index_dir` cannot be trusted, or None when every file it had
    after its last update is there with the same size and checksum."""
    try:
        expected = json.loads((Path(index_dir) / CHECKSUM_FILE).read_text(encoding="utf-8"))
        if not isinstance(expected, dict):
            raise ValueError("not a JSON object")
        actual = _checksums(index_dir)
    except FileNotFoundError:
        return "it has no checksums"
    except (OSError, ValueError) as error:
        return f"its checksums cannot be read: {error}"
    for name, recorded in expected.items():
        if name not in actual:
            return f"{name} is missing"
        if actual[name] != recorded:
            return f"{name} is not as written (size or checksum differs)"
    return None


# -- searching ---------------------------------------------------------------------------

SNIPPET_WINDOWS = 2
SNIPPET_BEFORE, SNIPPET_AFTER = 70, 150


def snippet_for(text: str, stems: set[str], query_text: str) -> str:
    """Up to two fragments of `text` around the query's matches, as HTML with the matching
    words in <mark> and everything else escaped.

    Whoosh's highlighter re-analyses the whole stored body of every hit (about 6 ms a hit,
    measured). Here each query word's stem is located with one search of the lowercased
    text, and only the short windows around the first matches are marked up."""
    prefixes = {p.lower() for p in stems | set(re.findall(r"\w{3,}", query_text)) if len(p) > 1}
    if not text or not prefixes:
        return ""
    lowered = text.lower()
    starts = sorted(
        start for prefix in prefixes if (start := _word_start(lowered, prefix)) is not None
    )
    if not starts:
        return ""
    spans: list[list[int]] = []
    for start in starts:
        window = [max(0, start - SNIPPET_BEFORE), min(len(text), start + SNIPPET_AFTER)]
        if spans and window[0] <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], window[1])
        elif len(spans) < SNIPPET_WINDOWS:
            spans.append(window)
    word = re.compile(
        r"\b(?:"
        + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
        + r")\w*",
        re.IGNORECASE,
    )
    pieces = []
    for start, end in spans:
        # widen to word boundaries so no word is cut in half
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        fragment, last = [], start
        for match in word.finditer(text, start, end):
            fragment.append(html.escape(text[last : match.start()]))
            fragment.append(f'<mark class="match">{html.escape(match.group(0))}</mark>')
            last = match.end()
        fragment.append(html.escape(text[last:end]))
        pieces.append("".join(fragment).strip())
    first, final = spans[0][0], spans[-1][1]
    return ("… " if first else "") + " … ".join(pieces) + (" …" if final < len(text) else "")


_WORD_CHARACTER = re.compile(r"\w")


def _word_start(text: str, prefix: str) -> int | None:
    """Where `prefix` first occurs after a word boundary (where `re.search(r"\\b" +
    prefix)` finds it), by `str.find`: the regular expression, which cannot skip ahead to
    a literal after `\\b`, was most of a snippet's time (0.1 ms a word, 1,000 cases)."""
    prefix_is_word = _WORD_CHARACTER.match(prefix) is not None
    start = text.find(prefix)
    while start != -1:
        after_word = start > 0 and _WORD_CHARACTER.match(text, start - 1) is not None
        if after_word != prefix_is_word:
            return start
        start = text.find(prefix, start + 1)
    return None


class IndexMissing(Exception):
    """No index at the given directory: run `make build` first."""


class IndexDamaged(IndexMissing):
    """An index whose files fail their checksums; the next build rebuilds it."""

    def __init__(self, index_dir: str, damage: str):
        super().__init__(index_dir)
        self.damage = damage

    def __str__(self) -> str:
        return f"the search index at {self.args[0]} is damaged ({self.damage})"


@dataclass
class Hit:
    slug: str
    title: str
    url: str
    kind: str
    score: float
    snippet: str  # HTML: text escaped, matches in <mark>
    themes: list[str]

    def as_json(self) -> dict:
        return asdict(self)


class StoredHit(dict):
    """A matching page's stored fields, and its score."""

    def __init__(self, fields: dict, score: float):
        super().__init__(fields)
        self.score = score


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    corrected: str | None = None  # a suggested query, when this one found few or nothing
    note: str | None = None  # how the query was read, when it was not taken as written


_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def _balanced(text: str) -> bool:
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return False
    return text.count('"') % 2 == 0 and not any(depth.values())


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The query with control characters and line breaks as single spaces: a reader's
    query is one line, and anything echoed back (a suggestion) must be too."""
    return " ".join(_CONTROL.sub(" ", text).split())


def plain_words(text: str) -> str:
    words = re.findall(r"[\w'-]+", text)
    return " ".join(word.lower() if word in _OPERATORS else word for word in words)


class SearchIndex:
    """An open index; reopens itself when a build swaps a new one in."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._ix = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._local = threading.local()  # one open searcher per thread (see _searcher)
        self._values_in_use: tuple[object, dict[str, set[str]]] | None = None
        self._damaged: tuple[tuple[int, int], IndexDamaged] | None = None
        self._open()

    def _open(self) -> None:
        # One generation throughout: the live path may be switched to another meanwhile.
        directory = os.path.realpath(self.index_dir)
        try:
            exists = whoosh_index.exists_in(directory)
        except Exception:  # an index is there, but Whoosh cannot read its table of contents:
            exists = True  # its checksums, or opening it below, say what is wrong
        if not exists:
            raise IndexMissing(str(self.index_dir))
        identity = self._stat(directory)
        damage = index_damage(Path(directory))
        if damage is not None:
            raise IndexDamaged(str(self.index_dir), damage)
        try:
            ix = whoosh_index.open_dir(directory)
        except Exception as error:  # what Whoosh raises on a damaged index varies
            raise IndexDamaged(str(self.index_dir), f"{type(error).__name__}: {error}") from None
        if self._ix is not None:
            self._ix.close()
        self._ix, self._identity = ix, identity
        self.vocabulary = read_vocabulary(self.index_dir / VOCABULARY_FILE)
        self.facets = [
            name for name, fieldtype in ix.schema.items() if isinstance(fieldtype, KEYWORD)
        ]
        # Every word by default (precise, and far less scoring work); any word as a fallback.
        self._parser = MultifieldParser(list(TEXT_FIELDS), ix.schema)
        self._any_parser = MultifieldParser(
            list(TEXT_FIELDS), ix.schema, group=OrGroup.factory(0.9)
        )

    def _stat(self, path=None) -> tuple[int, int]:
        info = os.stat(path or self.index_dir)  # through the live link, to its generation
        return info.st_ino, info.st_mtime_ns

    def refresh(self) -> None:
        with self._lock:
            try:
                identity = self._stat()
            except FileNotFoundError as error:
                raise IndexMissing(str(self.index_dir)) from error
            if identity == self._identity:
                return
            if self._damaged is not None and self._damaged[0] == identity:
                raise self._damaged[1]  # checked once per generation, not per query
            try:
                self._open()
            except IndexDamaged as error:
                self._damaged = (identity, error)
                raise

    def _searcher(self):
        """This thread's searcher, reopened after a rebuild. Opening one per query cost
        0.7 ms (measured); Whoosh searchers are not shared between threads."""
        cached = getattr(self._local, "searcher", None)
        if cached is not None and cached[0] is self._ix:
            return cached[1]
        if cached is not None:
            cached[1].close()
        searcher = self._ix.searcher(weighting=LengthCachedBM25F())
        self._local.searcher = (self._ix, searcher)
        return searcher

    def values_in_use(self) -> dict[str, set[str]]:
        """Every facet value the index holds, by facet; read once per opened index, since
        the API checks filters against it on every request."""
        self.refresh()
        ix = self._ix
        cached = self._values_in_use
        if cached is None or cached[0] is not ix:
            searcher = self._searcher()
            values = {
                name: {
                    value.decode() if isinstance(value, bytes) else value
                    for value in searcher.lexicon(name)
                }
                for name in self.facets
            }
            cached = self._values_in_use = (ix, values)
        return cached[1]

    def parse(self, text: str, any_word: bool = False) -> tuple[Query, str | None]:
        """A query from what a reader typed; syntax it cannot read becomes plain words."""
        parser = self._any_parser if any_word else self._parser
        note = None
        query: Query | None = None
        if _balanced(text):
            try:
                query = parser.parse(text)
            except Exception:  # Whoosh's parser is lenient; anything else is plain words
                query = None
        if query is None or query is NullQuery:
            plain = plain_words(text)
            if plain != text.strip():
                note = f"searched for the words: {plain}" if plain else None
            query = parser.parse(plain) if plain else NullQuery
        return query, note

    def search(
        self,
        text: str,
        filters: dict[str, list[str]] | None = None,
        kind: str | None = None,
        limit: int = 10,
    ) -> SearchResults:
        self.refresh()
        text = one_line(text)
        query, note = self.parse(text)
        conditions: list[Query] = []
        for name, values in (filters or {}).items():
            if values:
                conditions.append(Or([Term(name, value) for value in values]))
        if kind:
            conditions.append(Term("kind", kind))
        restrict = And(conditions) if conditions else None
        searcher = self._searcher()
        if query is NullQuery:
            return SearchResults(text, [], 0, note=note or "nothing to search for")
        # No terms=True: recording matched terms for every matching document cost a
        # third of the query time; snippets use the query's own terms instead.
        found, total = self._ranked(searcher, query, restrict, limit)
        if not found and len(plain_words(text).split()) > 1:
            query, _ = self.parse(text, any_word=True)
            found, total = self._ranked(searcher, query, restrict, limit)
            if found:
                note = "no page has all the words; showing pages with any of them"
        stems = {
            term.decode() if isinstance(term, bytes) else str(term)
            for field, term in query.iter_all_terms()
            if field in TEXT_FIELDS
        }
        hits = [self._hit(hit, text, stems) for hit in found]
        # The same rule and word list as the site's search (assets/search.js).
        corrected = None
        if total < FEW_RESULTS:
            corrected = suggest(text, self.vocabulary, lambda word: self._holds(searcher, word))
        return SearchResults(text, hits, total, corrected, note)

    def _ranked(self, searcher, query, restrict, limit) -> tuple[list, int]:
        """The best `limit` hits, case studies and policy pages ahead of other pages (as
        the site's search orders them), and how many pages match in all.

        One scored pass over every match: a search per group, each counted again, was four
        passes. Plain words (what readers type) are ranked from their postings directly;
        anything else by Whoosh (`searcher.search`), which at under 5,000 documents scores
        every match anyway (its preloading Or matcher)."""
        words = word_terms(query, TEXT_FIELDS)
        if words is None:
            matches = searcher.search(query, filter=restrict, limit=None).top_n
        else:
            allowed = set(searcher.docs_for_query(restrict)) if restrict else None
            matches = all_words_matches(searcher, words, allowed)
        first = self._first_kinds(searcher)
        # best score first, equal scores in index order (as Whoosh orders them)
        matches.sort(key=lambda match: (match[1] not in first, -match[0], match[1]))
        found = [
            StoredHit(searcher.stored_fields(docnum), score)
            for score, docnum in matches[: max(limit, 0)]
        ]
        return found, len(matches)

    def _first_kinds(self, searcher) -> frozenset[int]:
        """The document numbers of this searcher's case studies and policy pages."""
        cached = getattr(self._local, "first_kinds", None)
        if cached is None or cached[0] is not searcher:
            kinds = Or([Term("kind", kind) for kind in FIRST_KINDS])
            cached = (searcher, frozenset(searcher.docs_for_query(kinds)))
            self._local.first_kinds = cached
        return cached[1]

    def _holds(self, searcher, word: str) -> bool:
        """Whether any page has this word in any text field, in any of its forms."""
        term = cached_stem(word)
        return any(searcher.doc_frequency(name, term) for name in TEXT_FIELDS)

    def _hit(self, hit, query_text: str, stems: set[str]) -> Hit:
        snippet = (
            snippet_for(hit.get("body", ""), stems, query_text)
            or snippet_for(hit.get("summary", ""), stems, query_text)
            or html.escape(hit.get("summary", ""))
        )
        themes = [t for t in (hit.get("themes") or "").split(",") if t]
        return Hit(
            slug=hit["slug"],
            title=hit["title"],
            url=hit["url"],
            kind=hit["kind"],
            score=round(float(hit.score), 4),
            snippet=snippet,
            themes=themes,
        )

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
            self._ix = None
