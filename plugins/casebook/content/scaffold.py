"""`casebook new`: a case study file from the template, with front matter that is valid
from the first save and TODO lines that `casebook check` points to until they are written."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .taxonomy import Taxonomy
from .text import did_you_mean, slugify

TEMPLATE = Path(__file__).parent / "templates" / "case_study.md"
TODO = "TODO"
INTRODUCTION = ""  # the key of the text before the first section heading
_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)


@functools.cache
def template_sections() -> tuple[str, ...]:
    """The template's section headings, in order: the one list `check` and the issue form
    read, so a new section is a change to the template alone."""
    return tuple(_SECTION.findall(TEMPLATE.read_text(encoding="utf-8")))


@dataclass
class NewCaseStudy:
    title: str
    place: str
    themes: list[str]
    principles: list[str]
    partners: list[str]
    summary: str = ""
    programme: str | None = None
    started: int | None = None
    source: dict[str, str] = field(default_factory=dict)
    # other taxonomy fields (e.g. focus), by their front-matter key
    extra: dict[str, list[str]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return slugify(self.title)


def template_guidance() -> dict[str, str]:
    """Each section's TODO text (INTRODUCTION for the opening), which says what to write:
    the issue form shows it under each section's box."""
    body = TEMPLATE.read_text(encoding="utf-8").split("---\n", 2)[2]
    parts = _SECTION.split(body)
    names = [INTRODUCTION, *parts[1::2]]
    texts = [parts[0], *parts[2::2]]
    return {
        name: " ".join(text.replace(f"{TODO}:", "").split())
        for name, text in zip(names, texts, strict=True)
    }


def term_errors(draft: NewCaseStudy, taxonomies: dict[str, Taxonomy]) -> list[str]:
    """What is wrong with the chosen terms, with the same suggestions as `casebook check`."""
    errors = []
    wanted = {
        "places": [draft.place] if draft.place else [],
        "themes": draft.themes,
        "principles": draft.principles,
        "programmes": [draft.programme] if draft.programme else [],
    }
    for name, values in wanted.items():
        taxonomy = taxonomies.get(name)
        if taxonomy is None or taxonomy.open:
            continue
        for value in values:
            if value not in taxonomy.terms:
                errors.append(
                    f"unknown {taxonomy.singular.lower()} '{value}'"
                    f"{did_you_mean(value, list(taxonomy.terms))}"
                )
    if len(draft.partners) < 2:
        errors.append("name at least two partners: a case study is a collaboration")
    if not draft.slug:
        errors.append("the title needs at least one letter or digit")
    return errors


def resolve_term(taxonomy: Taxonomy, answer: str) -> tuple[str | None, str]:
    """A term's slug from what a person typed: its number in the listed order, its slug
    or its label. Returns (slug, "") or (None, what is wrong, with the nearest terms)."""
    answer = answer.strip()
    slugs = list(taxonomy.terms)
    if answer.isdigit():
        number = int(answer)
        if 1 <= number <= len(slugs):
            return slugs[number - 1], ""
        return None, f"{answer} is not a number from 1 to {len(slugs)}"
    if answer in taxonomy.terms:
        return answer, ""
    term = taxonomy.term_by_label(answer)
    if term is not None:
        return term.slug, ""
    labels = [t.label for t in taxonomy.terms.values()]
    hint = did_you_mean(answer, slugs) or did_you_mean(answer, labels)
    return None, f"unknown {taxonomy.singular.lower()} '{answer}'{hint}"


def render(draft: NewCaseStudy, today: dt.date, sections: dict[str, str] | None = None) -> str:
    """The template with the draft's front matter; `sections` (heading, or INTRODUCTION,
    to text) replaces those sections' TODO lines, and the rest keep theirs."""
    front = {
        "title": draft.title,
        "summary": draft.summary or f"{TODO}: one or two sentences, at most 300 characters.",
        "place": draft.place,
        "themes": draft.themes,
        "principles": draft.principles,
        "partners": draft.partners,
    }
    if draft.programme:
        front["programme"] = draft.programme
    front.update(draft.extra)
    if draft.started:
        front["started"] = draft.started
    front["policies"] = []
    front["sources"] = [
        draft.source
        or {
            "title": f"{TODO}: the report or page the facts come from",
            "publisher": f"{TODO}: who published it",
            "section": f"{TODO}: the chapter, heading or page you used",
        }
    ]
    front["published"] = today
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=88).strip()
    page = TEMPLATE.read_text(encoding="utf-8").replace("{front_matter}", text)
    return _fill_sections(page, sections or {})


def _fill_sections(page: str, sections: dict[str, str]) -> str:
    # parts: [front matter and introduction, heading, text, heading, text, ...]
    parts = _SECTION.split(page)
    head, intro = parts[0].rsplit("---\n", 1)
    if sections.get(INTRODUCTION, "").strip():
        intro = f"\n{sections[INTRODUCTION].strip()}\n\n"
    out = [head, "---\n", intro]
    for heading, text in zip(parts[1::2], parts[2::2], strict=True):
        if sections.get(heading, "").strip():
            text = f"\n\n{sections[heading].strip()}\n" + ("\n" if text.endswith("\n\n") else "")
        out.append(f"## {heading}{text}")
    return "".join(out)


def write_case_study(
    draft: NewCaseStudy,
    content_dir: Path,
    today: dt.date,
    sections: dict[str, str] | None = None,
) -> Path:
    """Write the new file; refuses to overwrite (FileExistsError)."""
    path = content_dir / "case_studies" / f"{draft.slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(render(draft, today, sections))
    return path
