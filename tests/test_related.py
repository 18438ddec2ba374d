"""Related case studies with reasons: who is listed (a threshold) and how the reason reads."""

import re
from types import SimpleNamespace

from casebook.content.catalogue import load_catalogue
from casebook.content.model import RelatedCase, blend_related
from casebook.content.term_index import TermIndex
from casebook.site.blocks import related_list
from casebook.site.templating import Templates

from .conftest import write

ECHO = """\
---
title: Echo {n}
summary: A case that shares one very common theme with most of the library.
place: scotland
themes: [collaborative-working]
---

Words of its own.
"""


def library_with_a_very_common_theme(content):
    """collaborative-working: Alpha, Beta and two Echo cases, 4 of 5 case studies; the
    Echo cases are in Scotland, as Gamma is (3 of 5: common too)."""
    for n in ("one", "two"):
        write(content, f"case_studies/echo-{n}.md", ECHO.format(n=n.title()))
    catalogue, _ = load_catalogue(content)
    return catalogue


def related(catalogue, slug, similar=()):
    case = catalogue.case_study(slug)
    return blend_related(catalogue, case, catalogue.related_cases(case, None), list(similar))


def test_one_very_common_term_alone_does_not_make_a_case_related(content):
    catalogue = library_with_a_very_common_theme(content)
    found = related(catalogue, "echo-one")
    # Alpha and Beta share only the common theme, Gamma only the common place; Echo Two both
    assert found == [RelatedCase("echo-two", (("themes", 1), ("places", 1)), False)]


def test_similar_text_above_the_threshold_lists_a_case_on_its_own(content):
    catalogue = library_with_a_very_common_theme(content)
    found = related(catalogue, "echo-one", [("alpha-network", 0.2), ("beta-connections", 0.05)])
    assert [item.slug for item in found] == ["alpha-network", "echo-two"]  # Beta: too weak
    assert found[0] == RelatedCase("alpha-network", (("themes", 1),), True)


def test_one_shared_term_that_is_not_common_is_a_reason(content):
    catalogue, _ = load_catalogue(content)
    found = related(catalogue, "beta-connections")
    gamma = next(item for item in found if item.slug == "gamma-pilot")
    assert gamma == RelatedCase("gamma-pilot", (("principles", 1),), False)


def why(html: str) -> list[str]:
    return re.findall(r'<span class="cb-related__why">([^<]*)</span>', html)


def test_reasons_read_as_plain_english_in_the_template(content):
    catalogue, _ = load_catalogue(content)
    items = [
        RelatedCase("alpha-network", (("themes", 3), ("principles", 2), ("places", 1)), True),
        RelatedCase("gamma-pilot", (("themes", 1),), False),
        RelatedCase("beta-connections", (), True),
        RelatedCase("no-such-case", (("themes", 1),), False),  # gone since: left out
    ]
    html = related_list(Templates(), catalogue, items, "case_studies/other.md")
    assert why(html) == [
        "Why: same place; shares 3 themes and 2 index principles; similar text",
        "Why: shares 1 theme",
        "Why: similar text",
    ]
    assert re.findall(r'href="\.\./([a-z-]+)/"', html) == [
        "alpha-network",
        "gamma-pilot",
        "beta-connections",
    ]


def test_term_index_levels_run_from_the_most_shared_terms_down_to_none():
    cases = [SimpleNamespace(slug=slug) for slug in ("a", "b", "c", "d")]
    a, b, c, d = cases
    by_term = {("themes", "x"): [a, b, c], ("themes", "y"): [a, b], ("places", "z"): [d]}
    index = TermIndex(cases, by_term, ["themes", "places"], common=lambda used: used > 2)
    others = [1, 2, 3]
    counts = index.shared_counts(0, others)
    assert counts == [2, 1, 0]
    assert list(index.by_shared_count(others, counts)) == [(2, [1]), (1, [2]), (0, [3])]
    # a case with no other case to rank: one level, empty (never an error)
    assert list(index.by_shared_count([], [])) == [(0, [])]
    assert index.shared_by_taxonomy(0, 1) == (("themes", 2),)
    assert index.only_a_common_term(0, 2)  # the one term they share is used by three
