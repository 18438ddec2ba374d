"""Rules over loaded documents. Each rule yields Problem values; nothing here raises.

Over 250 lines because it holds every content rule, each a short function; side by side
they read as the one list a contributor's file is checked against.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from .fields import (
    FIELDS_BY_KIND,
    HIDE_VALUES,
    LEGACY_FIELDS,
    MARKER_NAMES,
    SOURCE_KEYS,
    SOURCES_ITEM_KEYS,
    THEME_KEYS,
    FieldSpec,
)
from .load import Document
from .markdown_budget import markdown_budget_problem
from .plain_text_rules import plain_text_problems, title_key
from .problems import WARNING, Problem
from .scaffold import template_sections
from .taxonomy import Taxonomy
from .text import did_you_mean, is_slug, slugify

MIN_YEAR = 1900
# Below this a case study is a stub: a warning, since a short source can justify it.
MIN_BODY_WORDS = 300


def check_document(
    document: Document, taxonomies: dict[str, Taxonomy], today: dt.date
) -> list[Problem]:
    """The rules that read this file alone (with taxonomy.yml and the date): a verdict
    that holds while its bytes do, so checked_files.py may keep it between runs. With
    check_across and check_links, every rule there is."""
    if document.unreadable:
        return []  # its parse error is the one problem worth reading (see load.py)
    return [
        *_check_file_name(document),
        *_check_front_matter(document, taxonomies, today),
        *_check_body(document),
        *_check_plain_text(document),
        *_check_theme_keys(document),
        *_check_budget(document),
    ]


def check_across(documents: list[Document]) -> list[Problem]:
    """The rules that compare files (references to policy pages, duplicate slugs and
    titles): run on the whole current library every time, never kept."""
    policy_slugs = {d.slug for d in documents if d.kind == "policy"}
    problems: list[Problem] = []
    for document in documents:
        problems.extend(_check_references(document, policy_slugs))
    problems.extend(_check_duplicates(documents))
    return problems


# -- front matter -----------------------------------------------------------------------


def _check_front_matter(
    document: Document, taxonomies: dict[str, Taxonomy], today: dt.date
) -> Iterator[Problem]:
    specs = {spec.name: spec for spec in FIELDS_BY_KIND[document.kind]}
    by_field = {t.field: t for t in taxonomies.values()} if document.kind == "case_study" else {}
    meta = document.meta
    if document.kind != "page" and not document.has_front_matter:
        return  # the loader already said the front matter is missing
    listed = [*specs, *by_field]
    known = [*listed, *THEME_KEYS]  # the theme's keys are allowed but not suggested
    # With no readable taxonomy.yml its fields cannot be judged; its own problem says why.
    check_unknown = bool(taxonomies) or document.kind != "case_study"
    for key in meta if check_unknown else ():
        if key not in known:
            yield _problem(
                document,
                key,
                f"unknown field '{key}'{did_you_mean(key, listed)}; "
                f"fields for a {_kind_name(document)}: {', '.join(listed)}",
            )
    for spec in specs.values():
        if spec.name not in meta or meta[spec.name] in (None, ""):
            older = LEGACY_FIELDS.get(spec.name)
            if spec.required and older and meta.get(older) not in (None, ""):
                yield _problem(
                    document,
                    older,
                    f"'{older}' is now '{spec.name}', a list: rename it '{spec.name}:', "
                    f"start the source with '- title:' and add 'section:' (the part you used)",
                )
            elif spec.required:
                yield _problem(
                    document,
                    spec.name,
                    f"missing required field '{spec.name}': add '{spec.name}:' with {spec.help}",
                )
            continue
        if spec.type != "slug_list":  # names other files: _check_references
            yield from _check_value(document, spec, meta[spec.name], today)
    for field_name, taxonomy in by_field.items():
        yield from _check_terms(document, taxonomy, meta.get(field_name))


def _check_value(
    document: Document, spec: FieldSpec, value: Any, today: dt.date
) -> Iterator[Problem]:
    name = spec.name
    if spec.type == "text":
        if not isinstance(value, str):
            yield _problem(
                document,
                name,
                f"'{name}' must be text, not {_type_name(value)}; put it in double quotes",
            )
        elif not value.strip():
            yield _problem(document, name, f"'{name}' is empty: write {spec.help}")
        elif value.strip().startswith("TODO"):
            yield _problem(
                document, name, f"'{name}' still has the template's TODO text: write {spec.help}"
            )
        elif spec.max_length and len(value.strip()) > spec.max_length:
            yield _problem(
                document,
                name,
                f"'{name}' is {len(value.strip())} characters; keep it "
                f"to {spec.max_length} or fewer (move detail into the body)",
            )
    elif spec.type == "year":
        yield from _check_year(document, name, value, today)
    elif spec.type == "date":
        if not isinstance(value, dt.date):
            yield _problem(
                document, name, f"'{name}' must be a date written YYYY-MM-DD, not {value!r}"
            )
        elif _as_date(value) > today:
            yield _problem(document, name, f"'{name}' {value} is in the future")
    elif spec.type == "choice":
        if value not in spec.choices:
            yield _problem(
                document,
                name,
                f"'{name}' must be one of {', '.join(spec.choices)}, "
                f"not {value!r}{did_you_mean(str(value), list(spec.choices))}",
            )
    elif spec.type == "source":
        yield from _check_source(document, name, value, today)
    elif spec.type == "source_list":
        yield from _check_source_list(document, name, value, today)
    elif spec.type == "url":
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            yield _problem(document, name, f"'{name}' must start with https:// or http://")


def _check_year(document: Document, key: str, value: Any, today: dt.date) -> Iterator[Problem]:
    if isinstance(value, bool) or not isinstance(value, int):
        yield _problem(
            document, key, f"'{key.split('.')[-1]}' must be a year such as 2015, not {value!r}"
        )
    elif value > today.year:
        yield _problem(
            document,
            key,
            f"'{key.split('.')[-1]}' {value} is in the future; "
            "give the year the work actually started",
        )
    elif value < MIN_YEAR:
        yield _problem(
            document, key, f"'{key.split('.')[-1]}' {value} is too early; write a four-digit year"
        )


def _check_references(document: Document, policy_slugs: set[str]) -> Iterator[Problem]:
    """Each `policies` item names a policy page of this library (as _check_front_matter
    would have reached it: a readable file with front matter, the field not empty)."""
    if document.unreadable or (document.kind != "page" and not document.has_front_matter):
        return
    for spec in FIELDS_BY_KIND[document.kind]:
        value = document.meta.get(spec.name)
        if spec.type == "slug_list" and value not in (None, ""):
            yield from _check_policies(document, spec.name, value, policy_slugs)


def _check_policies(
    document: Document, name: str, value: Any, policy_slugs: set[str]
) -> Iterator[Problem]:
    items = value if isinstance(value, list) else None
    if items is None:
        yield _problem(
            document,
            name,
            f"'{name}' must be a list of policy page slugs, one per line starting with '- '",
        )
        return
    for index, item in enumerate(items):
        if not isinstance(item, str) or item not in policy_slugs:
            hint = did_you_mean(str(item), sorted(policy_slugs))
            yield _problem(
                document,
                f"{name}.{index}",
                f"'{name}' names {item!r}, but there is no content/policy/{item}.md{hint}",
            )


def _check_source_list(
    document: Document, name: str, value: Any, today: dt.date
) -> Iterator[Problem]:
    if isinstance(value, dict):
        yield _problem(
            document,
            name,
            f"'{name}' must be a list: start each source with '- title:' on its own line",
        )
        return
    if not isinstance(value, list) or not value:
        yield _problem(
            document,
            name,
            f"'{name}' must be a list of at least one source, each starting '- title:' "
            f"with {', '.join(SOURCES_ITEM_KEYS)}",
        )
        return
    for index, item in enumerate(value):
        yield from _check_source(document, f"{name}.{index}", item, today, SOURCES_ITEM_KEYS)


def _check_source(
    document: Document,
    name: str,
    value: Any,
    today: dt.date,
    keys: dict[str, bool] = SOURCE_KEYS,
) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield _problem(document, name, f"'{name}' must have indented fields: {', '.join(keys)}")
        return
    for key in value:
        if key not in keys:
            yield _problem(
                document,
                f"{name}.{key}",
                f"unknown field '{name}.{key}'"
                f"{did_you_mean(str(key), list(keys))}; "
                f"'{name}' takes {', '.join(keys)}",
            )
    for key, required in keys.items():
        item = value.get(key)
        if item in (None, ""):
            if required:
                hint = " (the chapter, heading or page you used)" if key == "section" else ""
                yield _problem(document, name, f"'{name}' needs a '{key}'{hint}")
        elif key == "year":
            yield from _check_year(document, f"{name}.year", item, today)
        elif not isinstance(item, str):
            yield _problem(document, f"{name}.{key}", f"'{name}.{key}' must be text")
        elif item.strip().startswith("TODO"):
            yield _problem(
                document,
                f"{name}.{key}",
                f"'{name}.{key}' still has the template's TODO text: name the source",
            )
        elif key in ("url", "publisher_url") and urlsplit(item).scheme not in (
            "http",
            "https",
        ):
            yield _problem(
                document, f"{name}.{key}", f"'{name}.{key}' must start with https:// or http://"
            )


def _check_terms(document: Document, taxonomy: Taxonomy, value: Any) -> Iterator[Problem]:
    field = taxonomy.field
    if value in (None, "", []):
        if taxonomy.required:
            if not taxonomy.multiple:
                what = f"a {taxonomy.singular.lower()}"
            elif taxonomy.minimum > 1:
                what = f"at least {taxonomy.minimum} {taxonomy.label.lower()}"
            else:
                what = f"at least one {taxonomy.singular.lower()}"
            yield _problem(
                document,
                field,
                f"missing required field '{field}': add {what}{_examples(taxonomy)}",
            )
        return
    if taxonomy.multiple:
        if isinstance(value, str):
            yield _problem(
                document, field, f"'{field}' must be a list, one item per line starting with '- '"
            )
            return
        if not isinstance(value, list):
            yield _problem(document, field, f"'{field}' must be a list, not {_type_name(value)}")
            return
        items = list(enumerate(value))
        if len(value) < taxonomy.minimum:
            yield _problem(
                document, field, f"'{field}' lists {len(value)}; give at least {taxonomy.minimum}"
            )
    else:
        if isinstance(value, list):
            yield _problem(
                document,
                field,
                f"'{field}' takes one {taxonomy.singular.lower()}, "
                "not a list; for work in several areas use the national term"
                if taxonomy.name == "places"
                else f"'{field}' takes one {taxonomy.singular.lower()}, not a list",
            )
            return
        items = [(None, value)]
    seen: set[str] = set()
    for index, item in items:
        key = field if index is None else f"{field}.{index}"
        if not isinstance(item, str) or not item.strip():
            yield _problem(
                document, key, f"each item of '{field}' must be text, not {_type_name(item)}"
            )
            continue
        term = taxonomy.term_for(item)
        if term is None:
            by_label = taxonomy.term_by_label(item)
            if by_label:
                yield _problem(
                    document,
                    key,
                    f"'{field}': write the slug '{by_label.slug}' instead of the label {item!r}",
                )
            else:
                choices = list(taxonomy.terms)
                yield _problem(
                    document,
                    key,
                    f"unknown {taxonomy.singular.lower()} {item!r} "
                    f"in '{field}'{did_you_mean(item, choices)}; see "
                    f"{taxonomy.name} in content/taxonomy.yml",
                )
            continue
        if term.slug in seen:
            yield _problem(document, key, f"{item!r} appears twice in '{field}'")
        seen.add(term.slug)


def _examples(taxonomy: Taxonomy) -> str:
    examples = list(taxonomy.terms)[:3]
    return f", e.g. {', '.join(examples)}" if examples else ""


def _check_plain_text(document: Document) -> Iterator[Problem]:
    """Front matter is plain text everywhere: the theme prints it outside the sanitised
    body (header, <title>, <meta>, search results)."""
    for key, message in plain_text_problems(document.meta):
        yield _problem(document, key, message)


def _check_theme_keys(document: Document) -> Iterator[Problem]:
    hide = document.meta.get("hide")
    if hide is None:
        return
    items = hide if isinstance(hide, list) else [hide]
    for index, item in enumerate(items):
        if item not in HIDE_VALUES:
            key = f"hide.{index}" if isinstance(hide, list) else "hide"
            yield _problem(
                document,
                key,
                f"'hide' takes a list of {', '.join(HIDE_VALUES)}, not {ascii(item)}",
            )


def _check_budget(document: Document) -> Iterator[Problem]:
    found = markdown_budget_problem(document.body)
    if found is not None:
        line, message = found
        yield Problem(document.display, document.body_line + line - 1, message)


# -- files and bodies -------------------------------------------------------------------


def _check_file_name(document: Document) -> Iterator[Problem]:
    if document.kind == "page":
        return
    if not is_slug(document.slug):
        suggestion = slugify(document.slug) or "a-short-name"
        yield Problem(
            document.display,
            1,
            f"file name '{document.slug}.md' is not a safe slug; "
            f"rename it to '{suggestion}.md' (lowercase letters, digits, hyphens)",
        )
    if document.src_uri.count("/") > 1:
        folder = document.src_uri.split("/")[0]
        yield Problem(
            document.display,
            1,
            f"put this file directly in content/{folder}/, "
            "not in a sub-folder: the file name is the page's address",
        )


def _check_duplicates(documents: list[Document]) -> Iterator[Problem]:
    for kind in ("case_study", "policy"):
        slugs: dict[str, Document] = {}
        titles: dict[str, Document] = {}
        for document in (d for d in documents if d.kind == kind):
            first = slugs.setdefault(document.slug, document)
            if first is not document:
                yield Problem(
                    document.display,
                    1,
                    f"slug '{document.slug}' is already used by "
                    f"{first.display}; rename one of the files",
                )
            title = document.meta.get("title")
            if isinstance(title, str) and title.strip():
                # Compared as a reader sees them: a copy with a Cyrillic 'а' or a
                # zero-width space is the same title.
                first = titles.setdefault(title_key(title), document)
                if first is not document:
                    same = title.strip() == str(first.meta.get("title")).strip()
                    yield _problem(
                        document,
                        "title",
                        f"title {ascii(title) if not same else repr(title)} "
                        f"{'is' if same else 'looks the same as the title'} already used by "
                        f"{first.display}; titles must be unique",
                    )


# Each rule is its own pattern starting with a literal or an anchor, so the regex engine
# skips quickly over ordinary prose (one combined alternation was several times slower).
_BODY_RULES = {
    # a template line not yet replaced
    # (matched against "\n" + body: a literal start is much faster than a MULTILINE "^")
    "todo": re.compile(r"\n[ \t]*TODO"),
    # elements that run code, embed other documents or restyle the page
    "tag": re.compile(
        r"<\s*(?P<tag_name>script|iframe|object|embed|style|frame|frameset"
        r"|applet|base|form|meta|link)\b",
        re.IGNORECASE,
    ),
    # event-handler attributes inside any tag ("[^<>]", not "[^>]": each '<' then scans
    # only to the next one, so '<a ' * 20000 is linear instead of quadratic)
    "event": re.compile(r"<[^<>]*\s(?P<event_name>on[a-z]+)\s*=", re.IGNORECASE),
    # a script URL in a Markdown link, an HTML attribute or a reference definition
    "url": re.compile(
        # one quantifier after the opener: "=\s*[\"']?\s*" backtracked quadratically
        # over a long run of spaces
        r"(?:\]\(|=|\]:)[\s<\"']*"
        r"(?P<scheme>javascript|vbscript|data)\s*:",
        re.IGNORECASE,
    ),
    # a generated-block marker, checked against the known names
    "marker": re.compile(r"<!--\s*casebook:(?P<marker_name>[a-z-]+)(?:\s+\d+)?\s*-->"),
}


def _body_message(kind: str, match: re.Match) -> str | None:
    """The problem one rule's match stands for, or None when it is fine."""
    if kind == "todo":
        return (
            "the template's TODO text is still here: replace it with your own (see CONTRIBUTING.md)"
        )
    if kind == "tag":
        return (
            f"raw HTML <{match.group('tag_name').lower()}> is not allowed in content; "
            "remove it (embed media as a link instead)"
        )
    if kind == "event":
        return (
            f"HTML event attribute '{match.group('event_name')}=' is not allowed in "
            "content; remove it"
        )
    if kind == "url":
        return (
            f"'{match.group('scheme').lower()}:' links are not allowed; link to an "
            "https:// address or another page"
        )
    name = match.group("marker_name")
    if name in MARKER_NAMES:
        return None
    return (
        f"unknown block '<!-- casebook:{name} -->'{did_you_mean(name, list(MARKER_NAMES))}"
        f"; blocks: {', '.join(MARKER_NAMES)}"
    )


def _check_body(document: Document) -> Iterator[Problem]:
    body = document.body
    if document.kind != "page" and not body.strip():
        yield Problem(
            document.display,
            document.body_line,
            "the body is empty: write the "
            "page below the closing '---' (see the template's section headings)",
        )
    elif document.kind == "case_study":
        yield from _check_body_shape(document)
    reported: set[tuple[int, str]] = set()
    text = "\n" + body  # every rule's line numbers count from the body's first line
    for kind, pattern in _BODY_RULES.items():
        for match in pattern.finditer(text):
            message = _body_message(kind, match)
            if message is None:
                continue
            start = match.start() + (1 if kind == "todo" else 0)  # past the leading "\n"
            line = document.body_line + text.count("\n", 0, start) - 1
            if (line, kind) in reported:  # one problem of a kind per line
                continue
            reported.add((line, kind))
            yield Problem(document.display, line, message)


# Linear on any input (as every rule on contributed text): the heading's trailing
# '#'s and spaces are stripped in Python, not by a lazy pattern that rescans them.
_HEADING = re.compile(r"^##[ \t]+([^\n]*)", re.MULTILINE)
_WORD = re.compile(r"[^\W_][\w'’-]*")


def _check_body_shape(document: Document) -> Iterator[Problem]:
    """Warnings, not errors: a case study shorter than a few minutes' reading, or without
    the template's sections, is probably unfinished, but a reviewer may accept it."""
    prose = "\n".join(
        line for line in document.body.split("\n") if not line.lstrip().startswith("#")
    )
    words = len(_WORD.findall(_without_comments(prose)))
    if words < MIN_BODY_WORDS:
        yield Problem(
            document.display,
            document.body_line,
            f"the body has {words} word{'s' * (words != 1)}; a case study needs at least "
            f"{MIN_BODY_WORDS} to say what was done, how and what changed",
            severity=WARNING,
        )
    found = {heading.rstrip(" \t#").lower() for heading in _HEADING.findall(document.body)}
    missing = [name for name in template_sections() if name.lower() not in found]
    if missing:
        listed = ", ".join(f"'## {name}'" for name in missing)
        yield Problem(
            document.display,
            document.body_line,
            f"missing the template's section heading{'s' * (len(missing) != 1)} {listed}; "
            "add each as a line of its own (see `casebook new` or CONTRIBUTING.md)",
            severity=WARNING,
        )


def _without_comments(text: str) -> str:
    """HTML comments replaced by a space, in one pass (a lazy regex rescans to the end
    of the text from every unclosed '<!--')."""
    parts, start = [], 0
    while (opened := text.find("<!--", start)) != -1:
        closed = text.find("-->", opened + 4)
        parts.append(text[start:opened])
        if closed == -1:
            return " ".join(parts)
        start = closed + 3
    parts.append(text[start:])
    return " ".join(parts)


# Linear on any input: link text is scanned from the innermost '[' only, and the target
# stops at the next '(' (so '[](' * 100000 does not rescan to the end for every link).
_LINK = re.compile(r"!?\[[^\[\]]*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def check_links(documents: Iterable[Document], known_uris: set[str]) -> list[Problem]:
    """Internal Markdown links must point at a page that will exist in the built site."""
    problems: list[Problem] = []
    for document in documents:
        if document.unreadable or "](" not in document.body:  # most pages link nowhere
            continue
        base = posixpath.dirname(document.src_uri)
        in_fence = False
        for offset, line in enumerate(document.body.split("\n")):
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            if in_fence or "](" not in line:
                continue
            for target in _LINK.findall(line):
                parts = urlsplit(target)
                if parts.scheme or parts.netloc or not parts.path:
                    continue
                path = unquote(parts.path)
                if not path.endswith(".md"):
                    continue
                resolved = posixpath.normpath(posixpath.join(base, path)).lstrip("/")
                if resolved not in known_uris:
                    hint = did_you_mean(resolved, sorted(known_uris))
                    problems.append(
                        Problem(
                            document.display,
                            document.body_line + offset,
                            f"broken link to '{target}': no page content/{resolved}{hint}",
                        )
                    )
    return problems


# -- helpers ----------------------------------------------------------------------------


def _problem(document: Document, key: str, message: str) -> Problem:
    return Problem(document.display, document.line_of(key), message)


def _kind_name(document: Document) -> str:
    return {"case_study": "case study", "policy": "policy page"}.get(document.kind, "page")


def _type_name(value: Any) -> str:
    if isinstance(value, str) and not value.strip():
        return "empty"  # not "str": the contributor wrote nothing
    return {
        dict: "a mapping",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "empty",
    }.get(type(value), type(value).__name__)


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
