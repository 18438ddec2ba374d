"""The one entry point the plugin and the CLI share: content directory in, model and
problems out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .checked_files import RecordStore, checked_documents
from .model import Catalogue, build_catalogue
from .problems import Problem
from .taxonomy import load_taxonomies
from .validate import check_across, check_links


def load_catalogue(
    content_dir: Path, today: dt.date | None = None, cache: RecordStore | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Load, validate and model the whole content tree; every problem, sorted by place.

    With a `cache`, a file whose bytes (and taxonomy.yml, the date and the code) are as
    when it was last checked is neither parsed nor checked again (checked_files.py);
    the result is the same as without."""
    content_dir = Path(content_dir)
    taxonomies, problems = load_taxonomies(content_dir)
    documents, found = checked_documents(content_dir, taxonomies, today or dt.date.today(), cache)
    problems += found
    problems += check_across(documents)
    catalogue = build_catalogue(documents, taxonomies)
    known = {d.src_uri for d in documents} | catalogue.generated_uris() | generated_index_uris()
    problems += check_links(documents, known)
    return catalogue, sorted(set(problems))


def generated_index_uris() -> set[str]:
    """Index pages the generator writes when the content does not provide its own."""
    return {"case_studies/index.md", "policy/index.md", "index/self-assessment.md"}
