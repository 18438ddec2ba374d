"""The knowledge base itself: it validates, builds strictly, and meets the content rules."""

import re
import subprocess
import sys

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.search.plain_text import plain_text

from .conftest import ROOT

CONTENT = ROOT / "content"
REQUIRED_CASES = {
    "inverclyde-connections",
    "making-recovery-real-dundee",
    "city-ambition-network",
    "fair-deal-and-sol",
    "clip-east-kilbride",
    "collective-leadership-police-local-government",
}
SECTIONS = [
    "What they did",
    "How they work together",
    "What changed",
    "Challenges",
    "Learning for others",
]


@pytest.fixture(scope="module")
def catalogue():
    catalogue, problems = load_catalogue(CONTENT)
    assert problems == [], "\n".join(map(str, problems))
    return catalogue


def test_every_required_case_study_is_there(catalogue):
    assert REQUIRED_CASES <= {case.slug for case in catalogue.case_studies}


@pytest.mark.parametrize("slug", sorted(REQUIRED_CASES))
def test_case_study_has_its_sections_a_source_and_600_words(catalogue, slug):
    case = catalogue.case_study(slug)
    headings = re.findall(r"^## (.+)$", case.body, re.MULTILINE)
    assert headings == SECTIONS
    assert len(plain_text(case.body).split()) >= 600
    assert case.source is not None and case.source.publisher
    assert case.published is not None
    for name in ("places", "themes", "principles", "partners"):
        assert case.terms[name], name


def test_every_case_study_and_policy_page_names_the_sections_of_its_sources(catalogue):
    pages = [*catalogue.case_studies, *catalogue.policies.values()]
    for page in pages:
        assert page.sources, page.slug
        for source in page.sources:
            assert source.title and source.publisher and source.section, page.slug
            assert source.url is None or source.url.startswith("https://"), page.slug


def test_every_case_study_links_to_its_source_or_else_the_sources_publisher(catalogue):
    for case in catalogue.case_studies:
        assert any(s.url or s.publisher_url for s in case.sources), case.slug
        for source in case.sources:
            for address in (source.url, source.publisher_url):
                assert address is None or address.startswith("https://"), case.slug


def test_legislation_pages_link_to_the_legislation_itself(catalogue):
    laws = [p for p in catalogue.policies.values() if p.kind == "legislation"]
    assert laws and all(p.official_url and p.year for p in laws)


def test_no_policy_page_is_an_orphan(catalogue):
    linked = set()
    for document in catalogue.documents.values():
        linked.update(re.findall(r"policy/([a-z0-9-]+)\.md", document.body))
        if document.kind == "policy":
            linked.update(re.findall(r"\]\(([a-z0-9-]+)\.md", document.body))
    for slug in catalogue.policies:
        cited = catalogue.citing(slug)
        page = catalogue.documents[f"policy/{slug}.md"]
        cites_something = "../case_studies/" in page.body or re.search(
            r"\]\([a-z0-9-]+\.md", page.body
        )
        assert cited or slug in linked or cites_something, slug
    assert len(catalogue.policies) >= 12


def test_quotations_are_attributed(catalogue):
    for case in catalogue.case_studies:
        for block in re.findall(r"(?:^>.*\n?)+", case.body, re.MULTILINE):
            assert "— " in block, f"{case.slug}: a quotation without attribution"


def test_the_project_site_builds_strictly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            "NO_MKDOCS_2_WARNING": "1",
            "CASEBOOK_SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    for url in [
        "case_studies/inverclyde-connections",
        "themes/lived-experience",
        "principles/citizen-agency",
        "policy/self-directed-support",
        "places/inverclyde",
        "guides/collaborative-providers-index",
        "index/self-assessment",
        "about",
    ]:
        assert (site / url / "index.html").is_file(), url
