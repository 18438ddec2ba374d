"""Property-based: whatever a contributor writes, `casebook check` answers with problems,
never a traceback."""

import datetime as dt
import os
import string

import yaml
from casebook.content.catalogue import load_catalogue
from casebook.content.fields import CASE_STUDY_FIELDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FIXTURE_CONTENT, TODAY

KEYS = [spec.name for spec in CASE_STUDY_FIELDS] + [
    "place",
    "themes",
    "principles",
    "partners",
    "programme",
    "focus",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from(["inverclyde", "culture-shift", "citizen-agency", "test-act", "2999"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
front_matters = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values, max_size=10
)
# Under mutation testing (tests/mutate.py) these run once per surviving mutant: fewer
# examples, and the same ones every time, so a verdict does not depend on the draw.
MUTATION = bool(os.environ.get("MUTANT_UNDER_TEST"))
EXAMPLES = 25 if MUTATION else 150


def write_and_check(tmp_path_factory, text: str):
    import shutil

    root = tmp_path_factory.mktemp("prop")
    shutil.copytree(FIXTURE_CONTENT, root / "content")
    (root / "content/case_studies/random.md").write_text(text, encoding="utf-8")
    catalogue, problems = load_catalogue(root / "content", today=TODAY)
    return catalogue, problems


@settings(
    max_examples=EXAMPLES,
    derandomize=MUTATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(front=front_matters, body=st.text(max_size=200))
def test_random_front_matter_yields_problems_never_a_traceback(tmp_path_factory, front, body):
    try:
        dumped = yaml.safe_dump(front, allow_unicode=True)
    except yaml.YAMLError:
        return
    catalogue, problems = write_and_check(tmp_path_factory, f"---\n{dumped}---\n{body}\n")
    assert all(p.line >= 1 and p.message for p in problems)
    assert any(c.slug == "random" for c in catalogue.case_studies)  # never silently dropped


@settings(
    max_examples=EXAMPLES,
    derandomize=MUTATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.text(alphabet=string.printable + "äé–“”&*!|>-:[]{}#'\"", max_size=300))
def test_random_text_in_front_matter_never_raises(tmp_path_factory, raw):
    catalogue, problems = write_and_check(tmp_path_factory, f"---\n{raw}\n---\nBody\n")
    assert all(p.line >= 1 for p in problems)
