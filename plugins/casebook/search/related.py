"""Every case study's related case studies, worked out in one pass for the whole library:
shared taxonomy terms blended with text similarity (see model.blend_related)."""

from __future__ import annotations

from ..content.model import Catalogue, blend_related
from .similarity import similar_documents
from .whoosh_index import SearchDocument


def related_slugs(
    catalogue: Catalogue, documents: list[SearchDocument], limit: int = 5
) -> dict[str, list[str]]:
    """slug -> the slugs of up to `limit` related case studies, best first."""
    texts = {d.slug: d.body for d in documents if d.kind == "case_study"}
    similar = similar_documents(texts, limit=limit * 2)
    return {
        case.slug: [
            other.slug
            for other in blend_related(
                catalogue,
                catalogue.related_cases(case, limit=None),
                similar.get(case.slug, []),
                limit,
            )
        ]
        for case in catalogue.case_studies
    }
