"""The "Suggest a case study" issue form, generated from taxonomy.yml and the template, and
the reverse: an issue body as GitHub renders the form, read back into a case-study draft.

One list of fields drives both, so the form and the reader cannot drift apart; the form's
labels are what GitHub writes into the body (`### Label`), so they are what is read.

Over 250 lines because the form's fields are declared here as data (one FormField each,
with the help a contributor reads), beside the reader of a filled form that they define.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .fields import SUMMARY_LIMIT
from .scaffold import INTRODUCTION, NewCaseStudy, template_guidance, template_sections
from .taxonomy import Taxonomy
from .text import did_you_mean

FORM_FILE = ".github/ISSUE_TEMPLATE/suggest-a-case-study.yml"
FORM_LABEL = "case study suggestion"  # applied by the form when an issue is opened
NO_RESPONSE = "_No response_"  # what GitHub writes for an optional field left blank
_CHECKED = re.compile(r"^- \[[xX]\] (.*)$")
_UNCHECKED = re.compile(r"^- \[ \] (.*)$")


@dataclass(frozen=True)
class FormField:
    id: str
    type: str  # input | textarea | dropdown | checkboxes
    label: str
    description: str
    required: bool = False
    options: tuple[str, ...] = ()
    placeholder: str = ""
    target: str = ""  # where the answer goes: a front-matter key, "section:<heading>" ...


@dataclass
class IssueAnswers:
    """What could be read from an issue: a draft, the body sections, and what could not."""

    draft: NewCaseStudy | None
    sections: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def form_fields(taxonomies: dict[str, Taxonomy]) -> list[FormField]:
    """Every field of the form, in order; taxonomies become fields by their shape."""
    fields = [
        FormField(
            "title",
            "input",
            "Name of the work",
            "As the people involved, or the source, name it.",
            True,
            placeholder="e.g. Inverclyde Connections",
            target="title",
        ),
        FormField(
            "summary",
            "textarea",
            "Summary",
            f"One or two sentences, at most {SUMMARY_LIMIT} characters: who did what, for whom.",
            True,
            target="summary",
        ),
    ]
    fields += [_taxonomy_field(taxonomy) for taxonomy in taxonomies.values()]
    fields += [
        FormField(
            "started",
            "input",
            "Year the work began",
            "Four digits, if the source gives it.",
            placeholder="e.g. 2016",
            target="started",
        ),
        FormField(
            "source-title",
            "input",
            "Source title",
            "The report, evaluation or web page that describes the work.",
            True,
            placeholder="e.g. Collaborative Providers",
            target="source.title",
        ),
        FormField(
            "source-publisher",
            "input",
            "Source publisher",
            "Who published it.",
            True,
            placeholder="e.g. Collaborate CIC and CCPS",
            target="source.publisher",
        ),
        FormField(
            "source-section",
            "input",
            "Source section",
            "The chapter, heading or pages of the source you used.",
            True,
            placeholder="e.g. Chapter 3, pages 12-15",
            target="source.section",
        ),
        FormField(
            "source-year",
            "input",
            "Source year",
            "The year it was published, if it gives one.",
            placeholder="e.g. 2018",
            target="source.year",
        ),
        FormField(
            "source-link",
            "input",
            "Source link",
            "A web address where others can read the source, starting https://",
            placeholder="https://",
            target="source.url",
        ),
    ]
    guidance = template_guidance()
    fields.append(
        FormField(
            "introduction",
            "textarea",
            "Introduction",
            guidance.get(INTRODUCTION, ""),
            True,
            target=f"section:{INTRODUCTION}",
        )
    )
    for heading in template_sections():
        fields.append(
            FormField(
                re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-"),
                "textarea",
                heading,
                guidance.get(heading, ""),
                True,
                target=f"section:{heading}",
            )
        )
    fields.append(
        FormField(
            "consent",
            "checkboxes",
            "Consent and personal data",
            "We cannot write up work without the agreement of the people involved.",
            True,
            options=CONSENT,
            target="consent",
        )
    )
    return fields


CONSENT = (
    "As far as I know, the organisations and people involved are happy for this work to "
    "be written up as a case study, and for my words here to be published under the "
    "project's licence.",
    "I have not included personal data about anyone: no names of people who receive "
    "support, addresses, dates of birth or health details.",
)


def _taxonomy_field(taxonomy: Taxonomy) -> FormField:
    labels = tuple(term.label for term in taxonomy.terms.values())
    description = " ".join(taxonomy.description.split())
    if taxonomy.open:
        minimum = f" At least {taxonomy.minimum}." if taxonomy.minimum > 1 else ""
        return FormField(
            taxonomy.field,
            "textarea",
            taxonomy.label,
            f"{description} One per line, named as the source names them.{minimum}",
            taxonomy.required,
            target=taxonomy.field,
        )
    if taxonomy.multiple:
        least = "one" if taxonomy.minimum <= 1 else str(taxonomy.minimum)
        return FormField(
            taxonomy.field,
            "checkboxes",
            taxonomy.label,
            f"{description} Tick at least {least}, each one the text clearly shows.",
            False,  # GitHub can only require each box; the reader asks for the minimum
            options=labels,
            target=taxonomy.field,
        )
    return FormField(
        taxonomy.field,
        "dropdown",
        taxonomy.singular,
        description,
        taxonomy.required,
        options=labels,
        target=taxonomy.field,
    )


# -- the form as YAML --------------------------------------------------------------------

_INTRO = """\
Thank you for suggesting a case study. A maintainer reads each suggestion; when it is
labelled, a pull request with the case study as a file is opened for you, and its checks
show anything to fix.

We write every case study from a source that others can read and check, such as a
report, an evaluation or an organisation's web page. Please write in your own words and
tell us where the facts come from.

Do not include personal data in this form: no names of people who receive support,
no addresses, dates of birth or health details. This issue will be public.
"""


def form_yaml(taxonomies: dict[str, Taxonomy]) -> str:
    """The issue form, as GitHub reads it from .github/ISSUE_TEMPLATE/."""
    body: list[dict] = [{"type": "markdown", "attributes": {"value": _INTRO}}]
    for item in form_fields(taxonomies):
        attributes: dict = {"label": item.label, "description": item.description}
        if item.placeholder:
            attributes["placeholder"] = item.placeholder
        if item.type == "dropdown":
            attributes["options"] = list(item.options)
        elif item.type == "checkboxes":
            attributes["options"] = [
                {"label": option, **({"required": True} if item.id == "consent" else {})}
                for option in item.options
            ]
        entry: dict = {"type": item.type, "id": item.id, "attributes": attributes}
        if item.type != "checkboxes":
            entry["validations"] = {"required": item.required}
        body.append(entry)
    form = {
        "name": "Suggest a case study",
        "description": "Tell us about health and social care integration work in Scotland "
        "that should be in Casebook.",
        "title": "[Case study]: ",
        "labels": [FORM_LABEL],
        "body": body,
    }
    header = (
        "# Generated from content/taxonomy.yml and the case-study template; do not edit.\n"
        f"# Regenerate: .venv/bin/casebook form --output {FORM_FILE}\n"
        "# tests/test_issue_form.py fails when this file is stale.\n"
    )
    return header + yaml.dump(
        form, Dumper=_FormDumper, sort_keys=False, allow_unicode=True, width=88
    )


class _FormDumper(yaml.SafeDumper):
    """Safe YAML with multi-line text as a literal block, as a person would write it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FormDumper.add_representer(str, _text)


# -- an issue body back into a draft -------------------------------------------------------


def read_issue_body(body: str, taxonomies: dict[str, Taxonomy]) -> IssueAnswers:
    """Read the body GitHub wrote for the form. Every field is read, and every problem
    listed, so one comment tells the contributor everything to fix."""
    fields = form_fields(taxonomies)
    raw = _split_answers(body.replace("\r\n", "\n"), fields)
    errors: list[str] = []
    if not raw:
        return IssueAnswers(
            None,
            errors=[
                "this issue was not written with the 'Suggest a case study' form (none of "
                "its '### ' headings are here); open a new issue from that form"
            ],
        )
    values: dict[str, object] = {}
    sections: dict[str, str] = {}
    by_field = {t.field: t for t in taxonomies.values()}
    for item in fields:
        text = raw.get(item.label)
        if text is None:  # an issue from an older form may lack a field added since
            if item.required:
                errors.append(f"'{item.label}': the issue has no '### {item.label}' section")
            continue
        text = "" if text.strip() == NO_RESPONSE else text.strip()
        if item.type == "dropdown" and not item.required and text == "None":
            text = ""  # GitHub offers "None" first in an optional dropdown
        if item.type == "checkboxes":
            value: object = _ticked(item, text, errors)
        elif item.type == "textarea" and item.target in by_field:
            value = [line.strip(" -*\t") for line in text.split("\n") if line.strip(" -*\t")]
        else:
            value = text
        if item.type == "dropdown" and value and value not in item.options:
            errors.append(
                f"'{item.label}': {value!r} is not one of the form's choices"
                f"{did_you_mean(str(value), list(item.options))}"
            )
            continue
        if item.required and not value and item.id != "consent":
            errors.append(f"'{item.label}' is empty: it is needed for a case study")
        if item.target.startswith("section:"):
            sections[item.target.removeprefix("section:")] = str(value)
        else:
            values[item.target] = value
    consent = values.get("consent") or []
    if len(consent) != len(CONSENT):
        errors.append(
            "'Consent and personal data': both boxes must be ticked before a case study "
            "can be written up"
        )
    started = _year(values.get("started"), "Year the work began", errors)
    source_year = _year(values.get("source.year"), "Source year", errors)
    slugs = {}
    for field_name, taxonomy in by_field.items():
        wanted = values.get(field_name)
        labels = wanted if isinstance(wanted, list) else [wanted] if wanted else []
        if taxonomy.open:
            slugs[field_name] = labels
            continue
        chosen = [_slug_for(taxonomy, label) for label in labels]
        slugs[field_name] = [slug for slug in chosen if slug]
        if taxonomy.multiple and taxonomy.required and not labels:
            errors.append(
                f"'{taxonomy.label}': tick at least one box; a maintainer can help choose"
            )
    source = {
        key: value
        for key, value in (
            ("title", values.get("source.title")),
            ("publisher", values.get("source.publisher")),
            ("section", values.get("source.section")),
            ("year", source_year),
            ("url", values.get("source.url")),
        )
        if value
    }
    draft = NewCaseStudy(
        title=str(values.get("title") or ""),
        place=(slugs.get("place") or [""])[0],
        themes=slugs.get("themes", []),
        principles=slugs.get("principles", []),
        partners=slugs.get("partners", []),
        summary=" ".join(str(values.get("summary") or "").split()),
        programme=(slugs.get("programme") or [None])[0],
        started=started,
        source=source,
        extra={
            name: slugs[name]
            for name in slugs
            if name not in {"place", "themes", "principles", "partners", "programme"}
            and slugs[name]
        },
    )
    return IssueAnswers(draft, sections, errors)


def _split_answers(body: str, fields: list[FormField]) -> dict[str, str]:
    """label -> answer text. Headings are looked for in the form's order, so a '### ' line
    that a contributor typed inside an answer is kept as part of that answer."""
    answers: dict[str, str] = {}
    position = 0
    found: list[tuple[str, int, int]] = []  # label, heading start, answer start
    for item in fields:
        match = re.compile(rf"^### {re.escape(item.label)}[ \t]*$", re.MULTILINE).search(
            body, position
        )
        if match:
            found.append((item.label, match.start(), match.end()))
            position = match.end()
    for index, (label, _, start) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(body)
        answers[label] = body[start:end]
    return answers


def _ticked(item: FormField, text: str, errors: list[str]) -> list[str]:
    ticked = []
    for line in text.split("\n"):
        line = line.strip()
        checked = _CHECKED.match(line)
        if checked:
            label = checked.group(1).strip()
            if label in item.options:
                ticked.append(label)
            else:
                errors.append(
                    f"'{item.label}': {label!r} is not one of the form's boxes"
                    f"{did_you_mean(label, list(item.options))}"
                )
        elif line and not _UNCHECKED.match(line):
            errors.append(f"'{item.label}': cannot read {line[:60]!r} as a ticked box")
    return ticked


def _slug_for(taxonomy: Taxonomy, label: str) -> str | None:
    term = taxonomy.term_by_label(label)
    return term.slug if term else None


def _year(text: object, label: str, errors: list[str]) -> int | None:
    if not text:
        return None
    value = str(text).strip()
    if not re.fullmatch(r"\d{4}", value):
        errors.append(f"'{label}': write a four-digit year such as 2016, not {value[:20]!r}")
        return None
    return int(value)


# -- the reply on the issue --------------------------------------------------------------


def issue_comment(created: str | None, lines: list[str]) -> str:
    """Markdown for the comment on the issue. Every line may quote the contributor's text,
    so all of it goes inside a code fence longer than any run of backticks it holds:
    nothing in it can render as a mention, a link or markup."""
    if created:
        head = (
            f"Thank you: this suggestion is now the file `{created}`, in a pull request "
            "that a maintainer will review."
        )
        if lines:
            head += (
                "\n\n`casebook check` found the problems below; the pull request shows each "
                "on its line, and a maintainer can fix them there."
            )
    else:
        head = (
            "This issue could not be turned into a case study yet. Please edit the issue to "
            "fix what is listed below; a maintainer will then take the `case-study` label "
            "off and put it back, which tries again."
        )
    if not lines:
        return head + "\n"
    text = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{head}\n\n{fence}text\n{text}\n{fence}\n"
