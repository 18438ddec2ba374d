"""Every related list equals the one the code before issue 13 worked out
(tests/related_reference.py): the same slugs in the same order, the same reasons and the
same text scores, on the project's content, the fixtures, generated libraries of several
sizes and libraries built to be full of ties."""

from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.content.model import CaseStudy, Catalogue
from casebook.content.taxonomy import load_taxonomies
from casebook.search.related import related_slugs
from casebook.search.similarity import similar_documents, term_counts
from casebook.search.whoosh_index import search_documents

from . import related_reference as reference
from .conftest import FIXTURE_CONTENT, ROOT, TODAY


def generated(count: int, target: Path, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    return generate.generate(count, target, seed)


def assert_same_lists(catalogue, documents, limit=5):
    texts = {d.slug: d.body for d in documents if d.kind == "case_study"}
    for wanted in (limit * 2, 1, 40):
        assert similar_documents(texts, wanted) == reference.similar_documents(texts, wanted)
    found = related_slugs(catalogue, documents, limit)
    assert found == reference.related_slugs(catalogue, documents, limit)
    for case in catalogue.case_studies:
        for candidates in (300, 7):
            new = catalogue.related_cases(case, None, candidates)
            old = reference.related_cases(catalogue, case, None, candidates)
            assert [(c.slug, n) for c, n in new] == [(c.slug, n) for c, n in old]
    return found


def test_term_counts_are_the_old_ones():
    texts = [
        "The recovery of people; recovering and recovered. The end",
        "Don't re-use well-being: ÀÉÎ café naïve İstanbul KELVIN \u212a and ok xx yyy",
        "",
        (ROOT / "content/about.md").read_text(encoding="utf-8"),
    ]
    for text in texts:
        assert term_counts(text) == reference.term_counts(text)


@pytest.mark.parametrize("where", ["content", "fixtures"])
def test_the_project_and_the_fixtures_have_the_old_lists(where):
    catalogue, _ = load_catalogue(ROOT / "content" if where == "content" else FIXTURE_CONTENT)
    found = assert_same_lists(catalogue, search_documents(catalogue))
    assert any(found.values())  # lists to compare, not only empty ones


@pytest.mark.parametrize(("count", "seed"), [(12, 1), (90, 2), (330, 3)])
def test_generated_libraries_have_the_old_lists(tmp_path, count, seed):
    catalogue, _ = load_catalogue(generated(count, tmp_path / "content", seed), today=TODAY)
    assert len(catalogue.case_studies) == count
    found = assert_same_lists(catalogue, search_documents(catalogue))
    assert sum(map(len, found.values())) > count  # most cases have a list


def tied_library(count: int, seed: int):
    """Cases that tie everywhere: few distinct bodies (equal weights and scores), few
    term combinations (equal shared counts), and one theme most cases have (common)."""
    taxonomies, _ = load_taxonomies(ROOT / "content")
    rng = random.Random(seed)
    words = ["peer", "support", "housing", "recovery", "carers", "alpha", "beta", "gamma"]
    bodies = [" ".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(6)]

    def pick(name, most):  # (never collaborative-working, the first theme)
        slugs = list(taxonomies[name].terms)[1 : most + 1]
        return tuple(taxonomies[name].terms[s] for s in rng.sample(slugs, rng.randint(1, 2)))

    cases, documents = [], []
    for number in range(count):
        slug = f"case-{rng.randrange(10**6):06d}-{number}"
        terms = {name: () for name in taxonomies}
        terms["themes"] = (taxonomies["themes"].terms["collaborative-working"],) + pick("themes", 3)
        terms["places"] = pick("places", 2)[:1]
        body = rng.choice(bodies)
        cases.append(
            CaseStudy(slug, f"case_studies/{slug}.md", f"Case {number % 5}", "", terms, body=body)
        )
        documents.append(SimpleNamespace(slug=slug, body=body, kind="case_study"))
    return Catalogue(taxonomies, cases, {}), documents


@pytest.mark.parametrize(("count", "seed"), [(9, 4), (150, 5), (700, 6)])
def test_libraries_full_of_ties_have_the_old_lists(count, seed):
    catalogue, documents = tied_library(count, seed)
    found = assert_same_lists(catalogue, documents)
    assert any(found.values())


def test_a_library_copied_with_its_duplicates_has_the_old_lists(tmp_path):
    """Two files with one slug, and a copy of a case under another name."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    alpha = content / "case_studies/alpha-network.md"
    shutil.copy(alpha, content / "case_studies/alpha-network-copy.md")
    shutil.copy(alpha, content / "case_studies/nested-alpha-network.md")
    catalogue, _ = load_catalogue(content)
    assert_same_lists(catalogue, search_documents(catalogue), limit=3)
