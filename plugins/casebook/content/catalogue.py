"""The one entry point the plugin and the CLI share: content directory in, model and
problems out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .load import load_documents
from .model import Catalogue, build_catalogue
from .problems import Problem
from .taxonomy import load_taxonomies
from .validate import check_links, validate_documents


def load_catalogue(
    content_dir: Path, today: dt.date | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Load, validate and model the whole content tree; every problem, sorted by place."""
    content_dir = Path(content_dir)
    taxonomies, problems = load_taxonomies(content_dir)
    documents, load_problems = load_documents(content_dir)
    problems += load_problems
    problems += validate_documents(documents, taxonomies, today or dt.date.today())
    catalogue = build_catalogue(documents, taxonomies)
    known = {d.src_uri for d in documents} | catalogue.generated_uris() | generated_index_uris()
    problems += check_links(documents, known)
    return catalogue, sorted(set(problems))


def generated_index_uris() -> set[str]:
    """Index pages the generator writes when the content does not provide its own."""
    return {"case_studies/index.md", "policy/index.md", "index/self-assessment.md"}
