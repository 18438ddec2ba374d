"""Facet filters for search, checked against the taxonomies with the same "did you mean"
as `casebook check`."""

from __future__ import annotations

from ..content.taxonomy import Taxonomy
from ..content.text import did_you_mean

# Command-line flags and API parameters, by taxonomy name. Any other taxonomy is reached
# with the generic `--filter NAME=SLUG` (CLI) or `NAME=SLUG` (API).
SHORT_NAMES = {
    "theme": "themes",
    "principle": "principles",
    "place": "places",
    "programme": "programmes",
    "partner": "partners",
}
KINDS = ("case_study", "policy", "guide", "page", "term")


def filter_errors(
    filters: dict[str, list[str]],
    facets: list[str],
    taxonomies: dict[str, Taxonomy],
    in_use: dict[str, set[str]],
) -> list[str]:
    """Problems with the requested filters, each saying what to write instead."""
    errors = []
    for name, values in filters.items():
        if name not in facets:
            errors.append(
                f"unknown filter '{name}'{did_you_mean(name, facets)}; filters: {', '.join(facets)}"
            )
            continue
        taxonomy = taxonomies.get(name)
        valid = set(in_use.get(name, set()))
        if taxonomy is not None and not taxonomy.open:
            valid |= set(taxonomy.terms)
        for value in values:
            if value not in valid:
                singular = taxonomy.singular.lower() if taxonomy else name
                errors.append(f"unknown {singular} '{value}'{did_you_mean(value, sorted(valid))}")
    return errors
