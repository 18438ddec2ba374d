"""Open data from the Catalogue: the JSON export that the catalogue page, exports and
tests all read."""

from __future__ import annotations

import json
from typing import Any

from .model import CaseStudy, Catalogue

EXPORT_URI = "data/case_studies.json"


def case_study_record(case: CaseStudy) -> dict[str, Any]:
    def slugs(name: str) -> list[str]:
        return case.term_slugs(name)

    def one(name: str) -> str | None:
        terms = slugs(name)
        return terms[0] if terms else None

    return {
        "slug": case.slug,
        "title": case.title,
        "url": case.url,
        "summary": case.summary,
        "place": one("places"),
        "themes": slugs("themes"),
        "principles": slugs("principles"),
        "partners": [term.label for term in case.terms.get("partners", ())],
        "programme": one("programmes"),
        "started": case.started,
        "focus": [term.label for term in case.terms.get("focus", ())],
        "policies": list(case.policies),
        "published": case.published.isoformat() if case.published else None,
    }


def case_studies_json(catalogue: Catalogue) -> str:
    records = [case_study_record(case) for case in catalogue.case_studies]
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"))
