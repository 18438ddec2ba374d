"""`casebook new` in a terminal: ask for each missing answer, check it at once, and ask
again with the nearest choices, so a typo never costs the answers already given."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .content.scaffold import resolve_term
from .content.taxonomy import Taxonomy
from .content.text import slugify


class NoMoreInput(Exception):
    """Standard input ended before every question was answered."""


def ask_for_missing(
    answers: dict,
    taxonomies: dict[str, Taxonomy],
    content: Path,
    read: Callable[[str], str] | None = None,
    say: Callable[[str], None] | None = None,
) -> dict:
    """Fill the missing or wrong answers in `answers` (title, place, themes, principles,
    partners); a value given as a flag is checked the same way."""

    read = read or input  # looked up now, so a test can stand in for the terminal
    say = say or print

    def ask(prompt: str) -> str:
        try:
            return read(prompt).strip()
        except EOFError:
            raise NoMoreInput from None

    title = answers["title"] or ""
    while True:
        error = _title_error(title, content)
        if title and not error:
            break
        if title:
            say(f"  {error}")
        title = ask("Title (the name of the work, as the source gives it): ")
    answers["title"] = title
    for key, name, many in (
        ("place", "places", False),
        ("themes", "themes", True),
        ("principles", "principles", True),
    ):
        taxonomy = taxonomies.get(name)
        if taxonomy is None:
            continue
        given = answers[key] if many else [answers[key]] if answers[key] else []
        slugs = _choose(taxonomy, given, many, ask, say)
        answers[key] = slugs if many else slugs[0]
    partners = list(answers["partners"])
    while len(partners) < 2:
        if partners:
            say(f"  A case study is a collaboration: name {2 - len(partners)} more partner.")
        typed = ask("Partners, comma-separated (at least two organisations): ")
        partners += [item.strip() for item in typed.split(",") if item.strip()]
    answers["partners"] = partners
    return answers


def _title_error(title: str, content: Path) -> str:
    slug = slugify(title)
    if not slug:
        return "The title needs at least one letter or digit."
    if (content / "case_studies" / f"{slug}.md").exists():
        return f"{content}/case_studies/{slug}.md already exists; choose another title."
    return ""


def _choose(
    taxonomy: Taxonomy,
    given: list[str],
    many: bool,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> list[str]:
    shown = False
    while True:
        slugs, errors = [], []
        for answer in given:
            slug, error = resolve_term(taxonomy, answer)
            if error:
                errors.append(error)
            elif slug not in slugs:
                slugs.append(slug)
        if slugs and not errors and (many or len(slugs) == 1):
            return slugs
        for error in errors:
            say(f"  {error}")
        if given and not many and len(given) > 1:
            say(f"  Choose one {taxonomy.singular.lower()}.")
        if not shown:
            say(f"{taxonomy.label}:")
            say(numbered_columns([term.label for term in taxonomy.terms.values()]))
            shown = True
        what = "numbers or names, comma-separated" if many else "a number or a name"
        typed = ask(f"{taxonomy.singular if not many else taxonomy.label} ({what}): ")
        given = [item.strip() for item in typed.split(",") if item.strip()] if many else [typed]
        given = [item for item in given if item]


def numbered_columns(labels: list[str], width: int | None = None) -> str:
    """'  1 Aberdeen City    12 East Renfrewshire ...', filled down the columns, as
    wide as the terminal allows."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    digits = len(str(len(labels)))
    cells = [f"{number:>{digits + 2}} {label}" for number, label in enumerate(labels, 1)]
    cell_width = max(len(cell) for cell in cells) + 2
    columns = max(1, min(len(cells), width // cell_width))
    rows = -(-len(cells) // columns)
    lines = []
    for row in range(rows):
        line = "".join(cells[i].ljust(cell_width) for i in range(row, len(cells), rows))
        lines.append(line.rstrip())
    return "\n".join(lines)
