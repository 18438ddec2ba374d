"""The Catalogue: who uses which term, who cites which policy, what is related."""

from casebook.content.catalogue import load_catalogue
from casebook.content.model import (
    CaseStudy,
    Catalogue,
    RelatedCase,
    blend_related,
    page_url,
    relative_link,
)
from casebook.content.taxonomy import Taxonomy, Term

from .conftest import TODAY


def test_terms_map_to_their_case_studies(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert [c.slug for c in catalogue.cases_for("themes", "collaborative-working")] == [
        "alpha-network",
        "beta-connections",
    ]
    assert [c.slug for c in catalogue.cases_for("partners", "shared-partner")] == [
        "alpha-network",
        "beta-connections",
    ]
    assert [t.label for t in catalogue.terms("partners")][:2] == ["Alpha Trust", "Another Body"]


def test_policies_know_which_case_studies_cite_them(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert [c.slug for c in catalogue.citing("test-act")] == ["alpha-network", "beta-connections"]
    assert [c.slug for c in catalogue.citing("test-guidance")] == ["beta-connections"]


def test_related_cases_rank_by_shared_terms(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    beta = catalogue.case_study("beta-connections")
    related = [(case.slug, shared) for case, shared in catalogue.related_cases(beta)]
    # alpha shares a theme, a principle, a partner and the programme; gamma one principle
    assert related == [("alpha-network", 4), ("gamma-pilot", 1)]
    assert catalogue.related_cases(beta, limit=1)[0][0].slug == "alpha-network"


def test_terms_with_pages_follow_the_taxonomy_setting(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    # themes: pages for all terms, even unused; places: only those in use
    assert len(catalogue.terms_with_pages("themes")) == 3
    assert {t.slug for t in catalogue.terms_with_pages("places")} == {
        "glasgow-city",
        "inverclyde",
        "scotland",
    }


def test_urls_and_relative_links():
    assert page_url("case_studies/x.md") == "case_studies/x/"
    assert page_url("case_studies/index.md") == "case_studies/"
    assert page_url("index.md") == ""
    assert relative_link("themes/a.md", "case_studies/b.md") == "../case_studies/b.md"
    assert relative_link("case_studies/b.md", "case_studies/c.md") == "c.md"


def test_related_candidates_come_from_the_rarest_terms_first(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    beta = catalogue.case_study("beta-connections")
    # with room for one candidate, the case sharing beta's rarest shared term is scored
    assert [(c.slug, n) for c, n in catalogue.related_cases(beta, candidates=1)] == [
        ("alpha-network", 4)
    ]


# -- mutation testing (issue 18): the model a reader's pages are built from ---------------


def _taxonomy(name: str, *slugs: str, open: bool = False, multiple: bool = True):
    return Taxonomy(
        name=name,
        label=name.title(),
        singular=name.title(),
        field=name,
        multiple=multiple,
        required=False,
        open=open,
        terms={slug: Term(name, slug, slug.title()) for slug in slugs},
    )


def _library(cases: dict[str, list[str]]):
    """A Catalogue of cases named by slug, each with the given themes."""
    themes = _taxonomy("themes", *sorted({t for terms in cases.values() for t in terms}))
    studies = [
        CaseStudy(
            slug=slug,
            src_uri=f"case_studies/{slug}.md",
            title=slug.title(),
            summary="",
            terms={"themes": tuple(themes.terms[t] for t in terms)},
        )
        for slug, terms in cases.items()
    ]
    return Catalogue({"themes": themes}, studies, {})


def test_related_cases_are_five_by_default_and_all_without_a_limit():
    library = _library({f"case-{n}": ["shared"] for n in range(8)})
    me = library.case_study("case-0")
    assert [c.slug for c, _ in library.related_cases(me)] == [f"case-{n}" for n in range(1, 6)]
    assert len(library.related_cases(me, limit=None)) == 7


def test_related_candidates_stop_at_the_cap_even_inside_one_term():
    library = _library({f"case-{n}": ["shared"] for n in range(6)})
    me = library.case_study("case-0")
    # one term shared by all six: room for three candidates, the case itself among them
    assert len(library.related_cases(me, limit=None, candidates=3)) == 2


def test_related_candidates_are_drawn_from_the_rarest_term_not_the_first_by_name():
    # "a-common" (first by name) is shared by many; "z-rare" by one other case only
    cases = {f"crowd-{n}": ["a-common"] for n in range(4)}
    cases["me"] = ["a-common", "z-rare"]
    cases["twin"] = ["a-common", "z-rare"]
    library = _library(cases)
    related = library.related_cases(library.case_study("me"), candidates=2)
    # twin first from z-rare, then the room left goes to the first of the crowd
    assert [(c.slug, n) for c, n in related] == [("twin", 2), ("crowd-0", 1)]


def test_a_case_and_a_policy_are_found_by_their_source_file(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert catalogue.case_study_at("case_studies/alpha-network.md").title == "Alpha Network"
    assert catalogue.case_study_at("case_studies/nobody.md") is None
    assert catalogue.policy_at("policy/test-act.md").title == "The Test Act 2014"
    assert catalogue.policy_at("policy/nothing.md") is None


def test_term_slugs_of_a_taxonomy_the_case_does_not_use_are_none(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    gamma = catalogue.case_study("gamma-pilot")
    assert gamma.term_slugs("themes") == ["culture-shift"]
    assert gamma.term_slugs("programmes") == []
    assert gamma.term_slugs("no-such-taxonomy") == []


def test_a_relative_link_from_a_top_level_page():
    assert relative_link("index.md", "case_studies/b.md") == "case_studies/b.md"


def _blend(library, slug: str, similar=()):
    me = library.case_study(slug)
    return blend_related(library, me, library.related_cases(me, None), list(similar))


def test_a_term_most_of_the_library_uses_is_no_reason_even_second_in_the_list():
    library = _library({"me": ["own", "common"], **{f"o{n}": ["common"] for n in range(4)}})
    assert _blend(library, "me") == []


def test_a_term_half_the_library_uses_is_still_a_reason():
    cases = {"me": ["half"], "a": ["half"], "b": ["half"]}
    cases.update({f"x{n}": ["other"] for n in range(3)})  # six cases, "half" in three
    library = _library(cases)
    assert [item.slug for item in _blend(library, "me")] == ["a", "b"]


def test_blended_related_cases_are_five_by_default():
    library = _library({f"c{n}": ["t", "u"] for n in range(8)})
    assert [item.slug for item in _blend(library, "c0")] == ["c1", "c2", "c3", "c4", "c5"]


def test_shared_terms_and_similar_text_weigh_the_same_once_scaled():
    library = _library({"me": ["t", "u"], "a": ["t", "u"], "b": ["t"], "c": ["v"]})
    # a: all the best shared terms (0.5); b: half of them and the best text (0.75);
    # c: half the best text (0.25)
    found = _blend(library, "me", [("b", 0.3), ("c", 0.15)])
    assert found == [
        RelatedCase("b", (("themes", 1),), True),
        RelatedCase("a", (("themes", 2),), False),
        RelatedCase("c", (), True),
    ]


def test_similar_text_alone_lists_cases_that_share_no_term():
    library = _library({"me": ["t"], "c": ["v"]})
    # "gone" is no longer in the library: never listed
    assert _blend(library, "me", [("gone", 0.3), ("c", 0.2)]) == [RelatedCase("c", (), True)]


def test_cases_and_open_terms_nobody_uses_are_empty_not_missing():
    library = _library({"me": ["t"]})
    assert library.cases_for("themes", "nobody-uses-this") == []
    focus = _taxonomy("focus", open=True)
    catalogue = Catalogue({"themes": library.taxonomies["themes"], "focus": focus}, [], {})
    assert catalogue.terms("focus") == []


def test_only_taxonomies_with_pages_all_and_a_closed_list_get_pages_for_unused_terms(content):
    taxonomy = content / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    text = (
        text.replace(  # an unused place (pages: in use), pages: all on open partners
            "    - {slug: scotland, label: Scotland (national or several areas)}\n",
            "    - {slug: scotland, label: Scotland (national or several areas)}\n"
            "    - {slug: unused-place, label: Unused place}\n",
        )
        .replace(
            "    - {slug: culture-shift, label: Culture shift}\n",  # and an unused theme
            "    - {slug: culture-shift, label: Culture shift}\n"
            "    - {slug: unused-theme, label: Unused theme}\n",
        )
        .replace("  minimum: 2\n  open: true\n", "  minimum: 2\n  open: true\n  pages: all\n")
    )
    taxonomy.write_text(text, encoding="utf-8")
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert "unused-place" in {t.slug for t in catalogue.terms("places")}
    assert "unused-place" not in {t.slug for t in catalogue.terms_with_pages("places")}
    assert "unused-theme" in {t.slug for t in catalogue.terms_with_pages("themes")}
    partners = [t.label for t in catalogue.terms_with_pages("partners")]
    assert partners == [t.label for t in catalogue.terms("partners")]  # only those in use
    assert "Gamma Team" in partners
