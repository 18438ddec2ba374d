"""Updating the search index in a second process while the site renders.

Indexing is CPU-bound Python, so a thread would only contend for the GIL; a forked child
uses the machine's other core. The child writes a staged copy; the parent publishes it
only after the build succeeds, so the live index is never half-updated."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from dataclasses import asdict
from pathlib import Path

from .search_index import IndexReport, SearchDocument, StagedIndex, stage_index, staging_path

REPORT_FILE = "casebook-report.json"


def _stage_in_child(
    index_dir: Path, documents: list[SearchDocument], facets: list[str], staging: Path
) -> None:
    staged = stage_index(index_dir, documents, facets, staging=staging)
    (staged.path / REPORT_FILE).write_text(json.dumps(asdict(staged.report)), encoding="utf-8")


class BackgroundIndexer:
    def __init__(self, index_dir: Path, documents: list[SearchDocument], facets: list[str]):
        self.index_dir = Path(index_dir)
        self.staging = staging_path(self.index_dir)
        self.process: multiprocessing.process.BaseProcess | None = None
        self.staged: StagedIndex | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            # fork: the child inherits the documents instead of having them pickled
            context = multiprocessing.get_context("fork")
            self.process = context.Process(
                target=_stage_in_child,
                args=(self.index_dir, documents, facets, self.staging),
                daemon=True,
                name="casebook-indexer",
            )
            self.process.start()
        else:  # no fork (Windows): index in this process
            self.staged = stage_index(self.index_dir, documents, facets, staging=self.staging)

    def wait(self) -> StagedIndex | None:
        """The staged index once the child has finished, or None if it failed."""
        if self.process is None:
            return self.staged
        self.process.join()
        report_file = self.staging / REPORT_FILE
        if self.process.exitcode != 0 or not report_file.is_file():
            shutil.rmtree(self.staging, ignore_errors=True)
            return None
        report = IndexReport(**json.loads(report_file.read_text(encoding="utf-8")))
        report_file.unlink()
        return StagedIndex(self.staging, self.index_dir, report)

    def cancel(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.staged is not None:
            self.staged.discard()
