"""Every case study's related case studies, worked out in one pass for the whole library:
shared taxonomy terms blended with text similarity (see model.related_to)."""

from __future__ import annotations

from ..content.model import Catalogue, RelatedCase, related_to
from .similarity import similar_documents, term_counts
from .term_count_cache import TermCountCache
from .whoosh_index import SearchDocument


def related_slugs(
    catalogue: Catalogue,
    documents: list[SearchDocument],
    limit: int = 5,
    kept: TermCountCache | None = None,
) -> dict[str, list[RelatedCase]]:
    """slug -> up to `limit` related case studies (slug and reason), best first. With
    `kept`, each text's term counts come from it when it has counted that text before."""
    texts = {d.slug: d.body for d in documents if d.kind == "case_study"}
    count = kept.counts if kept is not None else term_counts
    similar = similar_documents(texts, limit=limit * 2, count=count)
    return {
        case.slug: related_to(catalogue, case, similar.get(case.slug, []), limit)
        for case in catalogue.case_studies
    }
