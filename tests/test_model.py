"""The Catalogue: who uses which term, who cites which policy, what is related."""

import datetime as dt

from casebook.content.catalogue import load_catalogue
from casebook.content.model import (
    SIMILAR_TEXT_MIN,
    CaseStudy,
    Catalogue,
    PolicyPage,
    RelatedCase,
    Source,
    blend_related,
    page_url,
    relative_link,
)
from casebook.content.taxonomy import Taxonomy, Term

from .conftest import TODAY, write


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


def test_a_case_study_in_the_model_holds_what_its_front_matter_says(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    alpha = catalogue.case_study("alpha-network")
    report = Source(
        "Test Report",
        "Test Publisher",
        2018,
        "https://example.org/test-report",
        "Part 1, Alpha Network",
    )
    assert (alpha.slug, alpha.src_uri, alpha.title) == (
        "alpha-network",
        "case_studies/alpha-network.md",
        "Alpha Network",
    )
    assert alpha.summary.startswith("A test network of homelessness charities")
    assert (alpha.started, alpha.policies, alpha.published) == (
        2015,
        ("test-act",),
        dt.date(2026, 11, 1),
    )
    assert (alpha.source, alpha.sources) == (report, (report,))
    assert alpha.body.lstrip().startswith("The Alpha Network shares a keyworker team")
    assert alpha.term_slugs("places") == ["glasgow-city"]
    assert alpha.term_slugs("partners") == ["alpha-trust", "shared-partner"]


def test_a_policy_page_in_the_model_holds_what_its_front_matter_says(content):
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert catalogue.policies["test-act"] == PolicyPage(
        slug="test-act",
        src_uri="policy/test-act.md",
        title="The Test Act 2014",
        summary="A test law.",
        kind="legislation",
        year=2014,
        official_url="https://example.org/test-act",
        sources=(Source("Test Report", "Test Publisher", section="Part 2"),),
    )
    assert list(catalogue.pages) == ["index.md"]
    assert catalogue.pages["index.md"].src_uri == "index.md"
    assert sorted(catalogue.documents) == [
        "case_studies/alpha-network.md",
        "case_studies/beta-connections.md",
        "case_studies/gamma-pilot.md",
        "index.md",
        "policy/test-act.md",
        "policy/test-guidance.md",
    ]


def test_values_with_problems_are_left_out_of_the_model_but_the_page_stays(content):
    write(
        content,
        "case_studies/loose-ends.md",
        "---\nsummary: [not text]\nstarted: true\npublished: soon\npolicies: [test-act, 7]\n"
        "programme: [provider-collaborations]\nplace: glasgow-city\n"
        "source: {title: Old Report, publisher: Old Press, year: '1999'}\n---\nBody\n",
    )
    write(
        content,
        "policy/loose-policy.md",
        "---\ntitle: '  Spaced  '\nkind: 5\nyear: 2001.5\nofficial_url: ftp://x.org/a\n"
        "sources: [{publisher: no title}, {title: Kept, publisher: P, year: 2001}]\n---\nB\n",
    )
    catalogue, _ = load_catalogue(content, today=TODAY)
    case = catalogue.case_study("loose-ends")
    assert (case.title, case.summary, case.started, case.published) == (
        "Loose ends",
        "",
        None,
        None,
    )
    assert case.policies == ("test-act",)
    assert case.term_slugs("programmes") == []  # one programme, written as a list
    assert case.term_slugs("places") == ["glasgow-city"]
    assert case.sources == (Source("Old Report", "Old Press"),)  # the older single source
    policy = catalogue.policies["loose-policy"]
    assert (policy.title, policy.kind, policy.year, policy.official_url) == (
        "Spaced",
        "",
        None,
        None,
    )
    assert policy.sources == (Source("Kept", "P", 2001),)


def test_a_year_must_be_a_whole_number_not_true(content):
    write(content, "case_studies/yes.md", "---\ntitle: Yes\nstarted: yes\n---\nBody\n")
    write(content, "case_studies/ten.md", "---\ntitle: Ten\nstarted: 2010\n---\nBody\n")
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert catalogue.case_study("yes").started is None
    assert catalogue.case_study("ten").started == 2010


def test_two_files_with_one_slug_keep_both_pages_but_only_the_first_is_cross_referenced(content):
    write(content, "case_studies/sub/alpha-network.md", "---\ntitle: Second Alpha\n---\nB\n")
    catalogue, _ = load_catalogue(content, today=TODAY)
    assert [c.title for c in catalogue.case_studies if c.slug == "alpha-network"] == [
        "Alpha Network"
    ]
    assert "case_studies/sub/alpha-network.md" in catalogue.documents


def test_a_case_skipped_for_a_common_term_does_not_end_the_list():
    library = _library(
        {
            "me": ["common", "rare"],
            "o1": ["common"],
            "o2": ["rare"],
            "o3": ["common"],
            "o4": ["common"],
        }
    )
    # o1 ranks with o2 and comes first by name, but shares only the common term
    assert [item.slug for item in _blend(library, "me")] == ["o2"]


def test_text_exactly_at_the_threshold_is_similar_and_ties_list_a_to_z():
    library = _library({"me": ["t"], "b": ["v"], "z": ["w"]})
    found = _blend(library, "me", [("z", SIMILAR_TEXT_MIN), ("b", SIMILAR_TEXT_MIN)])
    assert found == [RelatedCase("b", (), True), RelatedCase("z", (), True)]


def test_a_policy_page_without_a_title_is_named_from_its_file_and_http_is_kept(content):
    write(
        content,
        "policy/the-care-act.md",
        "---\nsummary: s\nofficial_url: HTTP://example.org/care\n---\nBody\n",
    )
    catalogue, _ = load_catalogue(content, today=TODAY)
    policy = catalogue.policies["the-care-act"]
    assert (policy.title, policy.official_url) == ("The care act", "HTTP://example.org/care")
