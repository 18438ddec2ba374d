"""Every case study's related case studies, worked out in one pass for the whole library:
shared taxonomy terms blended with text similarity (see model.blend_related)."""

from __future__ import annotations

from ..content.model import Catalogue, RelatedCase, blend_related
from .similarity import similar_documents
from .whoosh_index import SearchDocument


def related_slugs(
    catalogue: Catalogue, documents: list[SearchDocument], limit: int = 5
) -> dict[str, list[RelatedCase]]:
    """slug -> up to `limit` related case studies (slug and reason), best first."""
    texts = {d.slug: d.body for d in documents if d.kind == "case_study"}
    similar = similar_documents(texts, limit=limit * 2)
    return {
        case.slug: blend_related(
            catalogue,
            case,
            catalogue.related_cases(case, limit=None),
            similar.get(case.slug, []),
            limit,
        )
        for case in catalogue.case_studies
    }
