"""Writing the Whoosh index with less Python a posting: the same files, byte for byte, as
Whoosh's own writer makes (tests compare them).

A library's bodies make most of its postings (330,000 at 1,000 cases), and Whoosh's
writer spends several calls on each: a type-checked pool entry and a place in one big
sort; at commit, a read of the document's field length from the column just written
and a type-checked add to its block."""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.writing import PostingPool, SegmentWriter

from .whoosh_format import GroupedPositions


class _Pool(PostingPool):
    """Whoosh's pool of postings, held as each term's postings in the order they come
    (documents come in number order), so that writing them sorts the terms rather than
    every posting. It spills to disk where Whoosh's would, by the same size estimate,
    and its runs on disk are Whoosh's."""

    def __init__(self, tempstore, segment, limitmb: int):
        super().__init__(tempstore, segment, limitmb=limitmb)
        self._fields: dict[str, dict[bytes, list[tuple]]] = {}  # field -> term -> postings

    def add(self, item):
        fieldname, text, docnum, weight, value = item
        self.fieldnames.add(fieldname)
        # PostingPool.add's estimate: 150 bytes of tuple, number and string overheads
        self.currentsize += 150 + len(fieldname) + 2 * len(text) + len(value or "")
        if self.currentsize > self.limit:
            self.save()
        terms = self._fields.setdefault(fieldname, {})
        terms.setdefault(text, []).append((docnum, weight, value))

    def add_words(self, fieldname: str, docnum: int, values) -> int:
        """`add` for each word of one field of a document, given as Format.word_values
        gives them; the sum of their counts back. The pool may spill after the whole
        field rather than before the posting that fills it: the runs merge the same."""
        terms = self._fields.setdefault(fieldname, {})
        length = size = added = 0
        for word, count, weight, encoded in values:
            text = word.encode()
            posting = (docnum, weight, encoded)
            postings = terms.get(text)
            if postings is None:
                terms[text] = [posting]
            else:
                postings.append(posting)
            length += count
            size += 2 * len(text) + len(encoded)
            added += 1
        if added:
            self.fieldnames.add(fieldname)
            self.currentsize += size + added * (150 + len(fieldname))
            if self.currentsize > self.limit:
                self.save()
        return length

    def terms(self):
        """(fieldname, text, [(docnum, weight, value), ...]) for each term, in order."""
        if self.runs:  # Whoosh merges its runs on disk with what is held here
            postings = super().items()
            for (fieldname, text), group in groupby(postings, key=itemgetter(0, 1)):
                yield fieldname, text, [posting[2:] for posting in group]
        else:
            yield from self._held_terms()

    def _held_terms(self):
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for text in sorted(terms):
                postings = terms[text]
                postings.sort()  # (in order already, unless added out of order)
                yield fieldname, text, postings

    def _held_postings(self):
        for fieldname, text, postings in self._held_terms():
            for posting in postings:
                yield (fieldname, text, *posting)

    def items(self, maxfiles=128):
        return super().items(maxfiles) if self.runs else self._held_postings()

    def save(self):
        # Whoosh's save writes `current`, sorted, as a run
        self.current, self._fields = list(self._held_postings()), {}
        super().save()


class _FieldLengths:
    """A segment's per-document reader whose field lengths are read once per field into
    a list: writing the postings asks for one a posting."""

    def __init__(self, reader: W3PerDocReader):
        self._reader = reader
        self._lengths: dict[tuple[str, object], list] = {}

    def lengths(self, fieldname: str, default=0) -> list:
        """Each document's length in the field, by document number."""
        key = (fieldname, default)
        if key not in self._lengths:
            reader, count = self._reader, self._reader.doc_count_all()
            if reader.has_column(_lenfield(fieldname)):
                lengths = [reader.doc_field_length(n, fieldname, default) for n in range(count)]
            else:  # asked once, not a file system look-up a document as Whoosh does
                lengths = [default] * count
            self._lengths[key] = lengths
        return self._lengths[key]

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        return self.lengths(fieldname, default)[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, also taking a term's postings a block at a time."""

    def add_postings(self, postings: list[tuple], lengths: list) -> None:
        """`add_posting(docnum, weight, value, lengths[docnum])` for each posting, in
        order: the same blocks and statistics, without type checks on every posting."""
        limit, start = self._blocklimit, 0
        while start < len(postings):
            if len(self._ids) >= limit:
                self._write_block()
            end = start + limit - len(self._ids)
            docnums, weights, values = zip(*postings[start:end], strict=True)
            start = end
            self._ids.extend(docnums)
            self._weights.extend(weights)
            self._values.extend(value for value in values if value)
            heaviest = max(weights)  # the first of equals, as add_posting keeps it
            if heaviest > self._maxweight:
                self._maxweight = heaviest
            known = [length for length in map(lengths.__getitem__, docnums) if length]
            if known:
                shortest, longest = min(known), max(known)
                if self._minlength is None or shortest < self._minlength:
                    self._minlength = shortest
                if longest > self._maxlength:
                    self._maxlength = longest


class _FieldWriter(W3FieldWriter):
    def add_terms(self, schema, lengths: _FieldLengths, terms) -> None:
        """FieldWriter.add_postings for each term's postings, in order (as the pool gives
        them): the same calls, but a term at a time, without checking the order of every
        posting or reading its document's length. (Whoosh's add_postings also skips
        postings numbered -1, which no writer of Whoosh 2.7 makes.)"""
        field = None
        for fieldname, text, postings in terms:
            if fieldname != field:
                if field is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                field, field_lengths = fieldname, lengths.lengths(fieldname)
            self.start_term(text)
            self._postwriter.add_postings(postings, field_lengths)
            self.finish_term()
        if field is not None:
            self.finish_field()


class _Codec(W3Codec):
    """Whoosh's codec, writing with the two writers above."""

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        limit, compression, inline = self._blocklimit, self._compression, self._inlinelimit
        return _PostingsWriter(dbfile, limit, byteids, compression, inline)

    def new_segment(self, storage, indexname):
        # The table of contents pickles each segment with its codec: Whoosh's own, so
        # that reading the index needs nothing of this module.
        plain = W3Codec(self._blocklimit, self._compression, self._inlinelimit)
        return plain.new_segment(storage, indexname)


def _has_extras(field) -> bool:
    return bool(field.vector or field.column_type or field.separate_spelling())


class IndexWriter(SegmentWriter):
    """Whoosh's segment writer with the pool, the length reads and the postings'
    writing above."""

    def __init__(self, ix, limitmb: int):
        super().__init__(ix, limitmb=limitmb, codec=_Codec())
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return _FieldLengths(super().per_document_reader())

    def add_document(self, **fields):
        """SegmentWriter.add_document, with a GroupedPositions field's words pooled in
        one call rather than one a posting. A document with what this leaves out (boosts
        or stored values given as `_` arguments, a field with a term vector, a spelling
        field or a column, a field not in the schema) is Whoosh's to add."""
        schema = self.schema
        names = sorted(fields)
        if any(name not in schema or _has_extras(schema[name]) for name in names):
            return super().add_document(**fields)  # (`_` arguments are not field names)
        self._check_state()
        docnum, pool, perdocwriter = self.docnum, self.pool, self.perdocwriter
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    # (Whoosh multiplies each weight by 1.0, the boost without `_boost`)
                    if isinstance(field.format, GroupedPositions) and isinstance(value, str):
                        values = field.format.word_values(value, field.analyzer, mode="index")
                        counted = pool.add_words(name, docnum, values)
                    else:
                        counted = 0
                        for text, count, weight, encoded in field.index(value):
                            pool.add((name, text, docnum, weight, encoded))
                            counted += count
                    length = counted if field.scorable else 0
                perdocwriter.add_field(name, field, value if field.stored else None, length)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        if not self.codec.length_stats:
            return super()._flush_segment()
        # SegmentWriter._flush_segment, with add_terms for FieldWriter.add_postings
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        self.fieldwriter.add_terms(self.schema, lengths, self.pool.terms())
        self.fieldwriter.close()
        lengths.close()
