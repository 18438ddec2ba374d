"""Taxonomies are data: the real taxonomy.yml and the generic mechanism behind it."""

from casebook.content.catalogue import load_catalogue
from casebook.content.taxonomy import load_taxonomies

from .conftest import ROOT, TODAY, VALID_CASE, errors, write


def test_the_project_taxonomy_declares_the_contracted_vocabularies():
    taxonomies, problems = load_taxonomies(ROOT / "content")
    assert problems == []
    assert len(taxonomies["themes"].terms) == 8
    assert "lived-experience" in taxonomies["themes"].terms
    principles = taxonomies["principles"]
    assert list(principles.groups) == ["people", "delivery", "places", "resourcing", "behaviours"]
    assert all(term.group in principles.groups for term in principles.terms.values())
    assert all(term.questions and term.description for term in principles.terms.values())
    places = taxonomies["places"]
    assert len(places.terms) == 33 and "scotland" in places.terms
    assert {"provider-collaborations", "clip"} <= set(taxonomies["programmes"].terms)
    assert taxonomies["partners"].open and not taxonomies["focus"].open
    assert all(term.description for term in taxonomies["focus"].terms.values())
    assert taxonomies["partners"].minimum == 2


def test_adding_a_theme_is_one_yaml_edit(content):
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text().replace(
            "    - {slug: culture-shift, label: Culture shift}",
            "    - {slug: culture-shift, label: Culture shift}\n"
            "    - {slug: digital-inclusion, label: Digital inclusion}",
        )
    )
    write(
        content,
        "case_studies/delta.md",
        VALID_CASE.replace("  - collaborative-working", "  - digital-inclusion"),
    )
    catalogue, problems = load_catalogue(content, today=TODAY)
    assert errors(problems) == []
    assert [c.slug for c in catalogue.cases_for("themes", "digital-inclusion")] == ["delta"]
    assert "themes/digital-inclusion.md" in catalogue.generated_uris()


def test_adding_a_whole_taxonomy_is_one_yaml_entry(content):
    taxonomy = content / "taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text()
        + (
            "funders:\n  label: Funders\n  singular: Funder\n  field: funders\n"
            "  multiple: true\n  open: true\n"
        )
    )
    write(
        content,
        "case_studies/delta.md",
        VALID_CASE.replace("started: 2016", "funders: [Oak Foundation]\nstarted: 2016"),
    )
    catalogue, problems = load_catalogue(content, today=TODAY)
    assert errors(problems) == []
    assert "funders/oak-foundation.md" in catalogue.generated_uris()


def test_bad_taxonomy_entries_are_problems_with_lines(content):
    (content / "taxonomy.yml").write_text(
        "themes:\n  label: Themes\n  colour: red\n  terms:\n    - {slug: Bad Slug}\n"
        "    - {slug: ok, group: nowhere}\n    - {slug: ok}\n"
    )
    _, problems = load_catalogue(content, today=TODAY)
    found = [(p.line, p.message) for p in problems if p.path.endswith("taxonomy.yml")]
    assert any(line == 3 and "unknown key 'colour'" in m for line, m in found)
    assert any(line == 5 and "needs a slug" in m for line, m in found)
    assert any(line == 6 and "group 'nowhere'" in m for line, m in found)
    assert any(line == 7 and "appears twice" in m for line, m in found)
