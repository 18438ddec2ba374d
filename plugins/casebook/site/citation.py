"""A case study's citation: APA-like text for the page, and BibTeX, RIS and CSL-JSON files
for reference managers, each escaped for its own format."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..content.model import CaseStudy, Catalogue
from .links import absolute_url, root_file_url

CITE_DIR = "data/cite"
# The downloads, by file extension: what each link says, in the order they are offered.
CITE_FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}
AUTHOR = "Casebook"  # the site publishes the case studies; the sources have their own


def cite_uri(slug: str, extension: str) -> str:
    return f"{CITE_DIR}/{slug}.{extension}"


def published_address(site_url: str, case: CaseStudy) -> str:
    """The case study's absolute address, or "" when the site has no public one: a
    citation must never send a reader to a loopback address (the local default)."""
    host = urlsplit(site_url).hostname or ""
    if not host or host == "localhost" or host.endswith(".localhost"):
        return ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return ""
    except ValueError:
        pass
    return absolute_url(site_url, case.url)


def _date_text(published: dt.date | None) -> str:
    return f"{published.year}, {published:%B} {published.day}" if published else "n.d."


def citation_text(case: CaseStudy, site_url: str) -> str:
    """APA-like: author, (date), title [description], address; then what it is based on."""
    text = f"{AUTHOR}. ({_date_text(case.published)}). {case.title} [Case study]."
    address = published_address(site_url, case)
    if address:
        text += f" {address}"
    if case.source:
        year = f", {case.source.year}" if case.source.year else ""
        text += f" Based on: {case.source.title} ({case.source.publisher}{year})."
    return text


def _note(case: CaseStudy) -> str:
    if not case.source:
        return "Case study"
    year = f", {case.source.year}" if case.source.year else ""
    return f"Case study. Based on: {case.source.title} ({case.source.publisher}{year})"


def _one_line(text: str) -> str:
    """Whitespace runs (a line break included) as one space: RIS is one field a line."""
    return " ".join(text.split())


# LaTeX's special characters, escaped so BibTeX reads them as text (braces would otherwise
# unbalance the entry, `%` starts a comment, `&` `#` `$` `_` `^` `~` mean something).
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    return _BIBTEX_PATTERN.sub(lambda match: _BIBTEX_SPECIAL[match.group(0)], _one_line(text))


def bibtex(case: CaseStudy, site_url: str) -> str:
    """A BibTeX @misc entry (UTF-8: biblatex and BibTeX 0.99d+ read it). The title is
    double-braced so reference styles keep its capitals."""
    fields = [
        ("author", "{" + bibtex_escape(AUTHOR) + "}"),
        ("title", "{" + bibtex_escape(case.title) + "}"),
        ("howpublished", "Case study"),
        ("note", bibtex_escape(_note(case))),
    ]
    if case.published:
        fields += [("year", str(case.published.year)), ("date", case.published.isoformat())]
    if address := published_address(site_url, case):
        fields.append(("url", bibtex_escape(address)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{casebook-{case.slug},\n{body}\n}}\n"


def ris(case: CaseStudy, site_url: str) -> str:
    """An RIS record: `TAG  - value` lines from TY to ER; a value never spans lines."""
    lines = [
        ("TY", "ELEC"),
        ("ID", f"casebook-{case.slug}"),
        ("AU", AUTHOR),
        ("TI", case.title),
        ("M3", "Case study"),
    ]
    if case.published:
        lines += [("PY", str(case.published.year)), ("DA", case.published.strftime("%Y/%m/%d"))]
    if address := published_address(site_url, case):
        lines.append(("UR", address))
    lines += [("N1", _note(case)), ("ER", "")]
    return "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines)


def csl_json(case: CaseStudy, site_url: str) -> str:
    """A CSL-JSON item (a one-item array, as Zotero and citeproc read it)."""
    item: dict = {
        "id": f"casebook-{case.slug}",
        "type": "webpage",
        "title": case.title,
        "author": [{"literal": AUTHOR}],
        "genre": "Case study",
        "container-title": AUTHOR,
        "note": _note(case),
    }
    if case.published:
        parts = [case.published.year, case.published.month, case.published.day]
        item["issued"] = {"date-parts": [parts]}
    if address := published_address(site_url, case):
        item["URL"] = address
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bib": bibtex, "ris": ris, "json": csl_json}
assert set(WRITERS) == set(CITE_FORMATS), "CITE_FORMATS and WRITERS must agree"


def citation_files(catalogue: Catalogue, site_url: str) -> dict[str, str]:
    """Every case study's citation in each format, by its path in the site."""
    return {
        cite_uri(case.slug, extension): write(case, site_url)
        for case in catalogue.case_studies
        for extension, write in WRITERS.items()
    }


@dataclass(frozen=True)
class Download:
    label: str  # "BibTeX"
    url: str  # relative to the page
    filename: str


@dataclass(frozen=True)
class CitationView:
    """What the "Cite this" block shows: the text, whether it has the site's address,
    and the downloads."""

    text: str
    has_address: bool
    downloads: tuple[Download, ...]


def citation_view(case: CaseStudy, site_url: str) -> CitationView:
    downloads = tuple(
        Download(
            label,
            root_file_url(case.src_uri, cite_uri(case.slug, extension)),
            f"{case.slug}.{extension}",
        )
        for extension, label in CITE_FORMATS.items()
    )
    return CitationView(
        citation_text(case, site_url), bool(published_address(site_url, case)), downloads
    )
