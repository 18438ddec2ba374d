"""The Catalogue: who uses which term, who cites which policy, what is related."""

from casebook.content.catalogue import load_catalogue
from casebook.content.model import page_url, relative_link

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
