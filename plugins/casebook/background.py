"""The build's whole-library work, done in a second process while MkDocs renders pages.

That work is CPU-bound Python, so a thread would only contend for the GIL; a forked child
uses the machine's other core. The child first works out every case study's related case
studies and sends them back (MkDocs' process waits for them to write a case study), then
stages the search index in a copy that the parent publishes only after the build
succeeds, and beside it the static (Pagefind) index that the parent swaps into the site.
Without fork (Windows) the same work runs in this process.

Over 250 lines because the child's work, its order and its failures, and the parent's
side of each, are one protocol: split, each half would have to know the other's."""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from .content.model import Catalogue, RelatedCase
from .search.related import related_slugs
from .search.static_index import StagedBundle, write_bundle
from .search.term_count_cache import TermCountCache
from .search.vocabulary import VOCABULARY_FILE, read_vocabulary, vocabulary_json
from .search.whoosh_index import (
    IndexReport,
    StagedIndex,
    documents_vocabulary,
    search_documents,
    stage_index,
    staging_path,
)

REPORT_FILE = "casebook-report.json"


PR_SET_PDEATHSIG = 1
# The child's niceness above MkDocs' process in a build from nothing, where rendering is
# the critical path (Pagefind's binary inherits it): at equal priority the three processes
# shared two cores and the cold build slowed (benchmarks/RESULTS.md). In a rebuild the
# pages are done first and the bundle is the end: there the child keeps MkDocs' priority.
BACKGROUND_NICENESS = 10


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies, even by SIGKILL, so a killed
    build never leaves a child running (and writing) behind it. Elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _stage_both(catalogue: Catalogue, documents, index_dir, staging, bundle, previous=None) -> None:
    """The Whoosh index and the Pagefind bundle, from the same documents and vocabulary.
    Pagefind indexes in its own process, so its bundle is built while Whoosh runs here.
    The bundle is written under a temporary name and renamed when whole: its presence at
    `bundle` means it is complete; if it fails, the reason is left beside it instead, and
    the Whoosh index goes on regardless. `previous`: the last build's bundle, whose
    unchanged files are linked rather than written."""
    worker = None
    failure: list[Exception] = []
    if bundle is not None:
        partial = _partial(bundle)

        def build_bundle() -> None:
            try:
                write_bundle(documents, partial, None, previous)  # vocabulary: below
            except Exception as error:
                failure.append(error)

        worker = threading.Thread(target=build_bundle, name="casebook-pagefind")
        worker.start()
    vocabulary = None
    try:
        if index_dir is not None:
            # The index counts the words of the pages that changed; the bundle's "did
            # you mean" uses the same counts.
            staged = stage_index(index_dir, documents, list(catalogue.taxonomies), staging)
            vocabulary = read_vocabulary(staged.path / VOCABULARY_FILE)
            report = json.dumps(asdict(staged.report))
            (staged.path / REPORT_FILE).write_text(report, encoding="utf-8")
        else:
            vocabulary = documents_vocabulary(documents)
    finally:
        if worker is not None:
            worker.join()
    if bundle is not None:
        try:
            if failure:
                raise failure[0]
            (partial / VOCABULARY_FILE).write_text(vocabulary_json(vocabulary), encoding="utf-8")
            partial.rename(bundle)
        except Exception as error:
            shutil.rmtree(partial, ignore_errors=True)
            _error_file(bundle).write_text(str(error), encoding="utf-8")


def _partial(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".part")


def _error_file(bundle: Path) -> Path:
    return bundle.with_name(bundle.name + ".error")


def _work_in_child(
    connection,
    catalogue: Catalogue,
    limit: int,
    index_dir,
    staging,
    bundle,
    previous,
    parent: int,
    counts,
    niceness: int,
) -> None:
    die_with_parent(parent)
    os.nice(niceness)
    documents = search_documents(catalogue)
    try:
        # First what the pages wait for: a warm rebuild reaches them within a second.
        kept = TermCountCache(counts)
        connection.send(related_slugs(catalogue, documents, limit, kept))
        connection.close()
        kept.save()  # after sending: the pages wait for the lists, not for this
        _stage_both(catalogue, documents, index_dir, staging, bundle, previous)
    except OSError as error:  # a full or read-only disk: one line, not a traceback
        where = f" ({error.filename})" if error.filename else ""
        print(
            f"casebook: the search index could not be written{where}: {error.strerror or error}",
            file=sys.stderr,
        )
        sys.stderr.flush()
        os._exit(1)


class BackgroundBuild:
    def __init__(
        self,
        catalogue: Catalogue,
        related_limit: int,
        index_dir: Path | None,
        bundle_dir: Path | None = None,
        previous_bundle: Path | None = None,
        term_counts: Path | None = None,
        niceness: int = BACKGROUND_NICENESS,
    ):
        """`bundle_dir`: where to build the static search bundle (None: no bundle);
        `previous_bundle`: the last build's, to link unchanged files from; `term_counts`:
        the term count cache's file, which only the child uses (None: none); `niceness`:
        the child's, above this process's."""
        self.catalogue, self.limit = catalogue, related_limit
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.staging = staging_path(self.index_dir) if self.index_dir is not None else None
        self.bundle_dir = Path(bundle_dir) if bundle_dir is not None else None
        if self.bundle_dir is not None:
            self._remove_bundle()
        self.process: multiprocessing.process.BaseProcess | None = None
        self.staged: StagedIndex | None = None
        self._related: dict[str, list[RelatedCase]] | None = None
        self._receiver: threading.Thread | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            # fork: the child inherits the catalogue instead of having it pickled
            context = multiprocessing.get_context("fork")
            receiving, sending = context.Pipe(duplex=False)
            self.process = context.Process(
                target=_work_in_child,
                args=(
                    sending,
                    catalogue,
                    related_limit,
                    self.index_dir,
                    self.staging,
                    self.bundle_dir,
                    previous_bundle,
                    os.getpid(),
                    term_counts,
                    niceness,
                ),
                daemon=True,
                name="casebook-background",
            )
            self.process.start()
            sending.close()
            # A thread takes the result off the pipe as soon as it is sent, so the child
            # never waits on the parent before it goes on to the index.
            self._receiver = threading.Thread(target=self._receive, args=(receiving,), daemon=True)
            self._receiver.start()
        else:  # no fork: everything here, now
            documents = search_documents(catalogue)
            kept = TermCountCache(term_counts)
            self._related = related_slugs(catalogue, documents, related_limit, kept)
            kept.save()
            where = (self.index_dir, self.staging, self.bundle_dir)
            _stage_both(catalogue, documents, *where, previous=previous_bundle)
            self.staged = self._read_staged()

    def _receive(self, connection) -> None:
        try:
            self._related = connection.recv()
        except (EOFError, OSError):  # the child died first: related() works it out here
            pass
        finally:
            connection.close()

    def related(self) -> dict[str, list[RelatedCase]]:
        """slug -> related cases. Waits for the child; if it failed, works them out here
        rather than leave a page without its related case studies."""
        if self._receiver is not None:
            self._receiver.join()
            self._receiver = None
        if self._related is None:
            documents = search_documents(self.catalogue)
            self._related = related_slugs(self.catalogue, documents, self.limit)
        return self._related

    def wait(self) -> StagedIndex | None:
        """The staged index once the child has finished, or None if it failed or there
        is no index to build."""
        if self.index_dir is None:
            if self.process is not None:
                self.process.join()
            return None
        if self.process is None:
            return self.staged
        self.process.join()
        return self._read_staged()

    def _read_staged(self) -> StagedIndex | None:
        if self.index_dir is None:
            return None
        report_file = self.staging / REPORT_FILE
        if self.process is not None and self.process.exitcode != 0:
            report_file.unlink(missing_ok=True)
        if not report_file.is_file():
            shutil.rmtree(self.staging, ignore_errors=True)
            return None
        report = IndexReport(**json.loads(report_file.read_text(encoding="utf-8")))
        report_file.unlink()
        return StagedIndex(self.staging, self.index_dir, report)

    def bundle(self) -> tuple[StagedBundle | None, str]:
        """The static search bundle once the child has finished, or None and the reason
        it could not be built ("" when none was asked for)."""
        if self.process is not None:
            self.process.join()
        if self.bundle_dir is None:
            return None, ""
        if (self.bundle_dir / "pagefind.js").is_file():
            return StagedBundle(self.bundle_dir), ""
        error = _error_file(self.bundle_dir)
        reason = error.read_text(encoding="utf-8") if error.is_file() else "it was not finished"
        self._remove_bundle()
        return None, reason

    def _remove_bundle(self) -> None:
        if self.bundle_dir is not None:
            shutil.rmtree(self.bundle_dir, ignore_errors=True)
            shutil.rmtree(_partial(self.bundle_dir), ignore_errors=True)
            _error_file(self.bundle_dir).unlink(missing_ok=True)

    def cancel(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_bundle()
        if self.staged is not None:
            self.staged.discard()
