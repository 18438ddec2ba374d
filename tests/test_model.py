"""The Catalogue: who uses which term, who cites which policy, what is related."""

from casebook.content.catalogue import load_catalogue
from casebook.content.model import CaseStudy, Catalogue, page_url, relative_link
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
