"""Taxonomies as data: `taxonomy.yml` declares themes, principles, places, programmes,
partners and focus, and one mechanism serves them all."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .plain_text_rules import plain_text_problems
from .problems import Problem, display_path
from .text import is_slug, slugify
from .yaml_source import parse_yaml

TAXONOMY_FILE = "taxonomy.yml"


@dataclass(frozen=True)
class Group:
    slug: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Term:
    taxonomy: str
    slug: str
    label: str
    description: str = ""
    group: str | None = None
    questions: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    name: str  # also the URL folder: /<name>/<term-slug>/
    label: str
    singular: str
    field: str  # the front-matter key
    multiple: bool
    required: bool
    open: bool
    minimum: int = 0
    description: str = ""
    # "all": every declared term gets a page; "in_use": only terms a case study uses.
    pages: str = "in_use"
    groups: dict[str, Group] = field(default_factory=dict)
    terms: dict[str, Term] = field(default_factory=dict)

    def term_for(self, value: str) -> Term | None:
        """The term a front-matter value names; open taxonomies make one from any text."""
        if self.open:
            slug = slugify(value)
            return Term(self.name, slug, value.strip()) if slug else None
        return self.terms.get(value)

    def term_by_label(self, value: str) -> Term | None:
        lowered = value.strip().lower()
        return next((t for t in self.terms.values() if t.label.lower() == lowered), None)


_TAXONOMY_KEYS = {
    "label",
    "singular",
    "field",
    "multiple",
    "required",
    "minimum",
    "open",
    "description",
    "groups",
    "terms",
    "pages",
}


def load_taxonomies(content_dir: Path) -> tuple[dict[str, Taxonomy], list[Problem]]:
    """Read `taxonomy.yml`; problems name its lines like any content problem."""
    path = content_dir / TAXONOMY_FILE
    display = display_path(path)
    if not path.is_file():
        return {}, [
            Problem(
                display,
                1,
                f"missing {TAXONOMY_FILE}: the content directory "
                "must declare its taxonomies (see the project's content/taxonomy.yml)",
            )
        ]
    parsed = parse_yaml(path.read_text(encoding="utf-8"))
    if parsed.error:
        return {}, [Problem(display, parsed.error_line, parsed.error, column=parsed.error_column)]
    if not isinstance(parsed.data, dict):
        return {}, [Problem(display, 1, "taxonomy.yml must map taxonomy names to definitions")]

    def line(key: str) -> int:
        return parsed.lines.get(key, 1)

    taxonomies: dict[str, Taxonomy] = {}
    # Labels, descriptions and questions print in headings, <title> and <meta>: plain text.
    problems: list[Problem] = [
        Problem(display, line(key), message) for key, message in plain_text_problems(parsed.data)
    ]
    fields_seen: dict[str, str] = {}
    for name, spec in parsed.data.items():
        name = str(name)
        if not is_slug(name):
            problems.append(
                Problem(
                    display,
                    line(name),
                    f"taxonomy name '{name}' must be a slug "
                    f"(lowercase letters, digits and hyphens), e.g. '{slugify(name)}'",
                )
            )
            continue
        if not isinstance(spec, dict):
            problems.append(
                Problem(
                    display,
                    line(name),
                    f"taxonomy '{name}' must be a mapping with label, field and terms",
                )
            )
            continue
        for key in spec:
            if key not in _TAXONOMY_KEYS:
                valid = ", ".join(sorted(_TAXONOMY_KEYS))
                problems.append(
                    Problem(
                        display,
                        line(f"{name}.{key}"),
                        f"unknown key '{key}' in taxonomy '{name}'; valid keys: {valid}",
                    )
                )
        field_name = str(spec.get("field", name))
        if field_name in fields_seen:
            problems.append(
                Problem(
                    display,
                    line(f"{name}.field"),
                    f"taxonomy '{name}' uses field "
                    f"'{field_name}', already used by '{fields_seen[field_name]}'",
                )
            )
            continue
        fields_seen[field_name] = name
        taxonomy = Taxonomy(
            name=name,
            label=str(spec.get("label", name.title())),
            singular=str(spec.get("singular", spec.get("label", name.title()))),
            field=field_name,
            multiple=bool(spec.get("multiple", True)),
            required=bool(spec.get("required", False)),
            open=bool(spec.get("open", False)),
            minimum=int(spec.get("minimum", 1 if spec.get("required") else 0) or 0),
            description=str(spec.get("description", "") or "").strip(),
            pages="all" if spec.get("pages") == "all" else "in_use",
        )
        for index, group in enumerate(spec.get("groups") or []):
            where = line(f"{name}.groups.{index}")
            if not isinstance(group, dict) or not is_slug(str(group.get("slug", ""))):
                problems.append(
                    Problem(
                        display,
                        where,
                        f"each group in '{name}' needs a slug (lowercase-with-hyphens) and a label",
                    )
                )
                continue
            taxonomy.groups[group["slug"]] = Group(
                group["slug"],
                str(group.get("label", group["slug"])),
                str(group.get("description", "") or "").strip(),
            )
        for index, term in enumerate(spec.get("terms") or []):
            where = line(f"{name}.terms.{index}")
            slug = str(term.get("slug", "")) if isinstance(term, dict) else ""
            if not is_slug(slug):
                problems.append(
                    Problem(
                        display,
                        where,
                        f"each term in '{name}' needs a slug of "
                        "lowercase letters, digits and hyphens, and a label",
                    )
                )
                continue
            if slug in taxonomy.terms:
                problems.append(Problem(display, where, f"term '{slug}' appears twice in '{name}'"))
                continue
            group_slug = term.get("group")
            if group_slug is not None and group_slug not in taxonomy.groups:
                problems.append(
                    Problem(
                        display,
                        line(f"{name}.terms.{index}.group"),
                        f"term '{slug}' names group '{group_slug}', which "
                        f"'{name}' does not declare",
                    )
                )
            questions = term.get("questions") or []
            taxonomy.terms[slug] = Term(
                taxonomy=name,
                slug=slug,
                label=str(term.get("label", slug)),
                description=str(term.get("description", "") or "").strip(),
                group=group_slug,
                questions=tuple(str(q) for q in questions) if isinstance(questions, list) else (),
            )
        if not taxonomy.open and not taxonomy.terms:
            problems.append(
                Problem(
                    display,
                    line(name),
                    f"closed taxonomy '{name}' lists no terms; add terms or set 'open: true'",
                )
            )
        taxonomies[name] = taxonomy
    return taxonomies, problems
