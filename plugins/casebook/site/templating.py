"""Jinja2 templates for every piece of generated HTML: shipped here, overridable by a site.

A site overrides `casebook/NAME.html` by putting a file of that name under its theme's
`custom_dir` (Material's convention, usually `overrides/casebook/NAME.html`); it can change
one block only with `{% extends "shipped/casebook/NAME.html" %}`. Autoescaping is on, so a
value from content lands escaped unless a template says otherwise with `|safe`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import TracebackType

import jinja2

from ..content.problems import Problem, display_path
from .block_cache import BlockCache
from .render_cache import digest

log = logging.getLogger("casebook.templating")
SHIPPED = Path(__file__).parent / "templates"
FOLDER = "casebook"
# The shipped templates under a name no override can take, for `{% extends %}`.
SHIPPED_PREFIX = "shipped"


class TemplateProblem(Exception):
    """A template that cannot be compiled or rendered, at its file and line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Heading:
    """A heading in generated HTML, for the page's table of contents."""

    level: int
    id: str
    title: str


@dataclass(frozen=True)
class HtmlBlock:
    """Finished HTML that the plugin places before or after a page's rendered Markdown,
    with the headings it holds for the page's table of contents.

    Generated lists and footers used to go into the Markdown as raw HTML, and having
    Python-Markdown parse them again was about a third of casebook's build time (1.7 ms a
    case study, measured). The plugin still sanitises them, apart from the page."""

    html: str = ""
    headings: tuple[Heading, ...] = ()
    # Lists that repeat other pages' entries stay out of Material's in-browser index.
    search_exclude: bool = False


def joined(*blocks: HtmlBlock) -> HtmlBlock:
    """Blocks one after another, as one: their HTML, their headings, and kept out of the
    in-browser index if any of them is."""
    return HtmlBlock(
        "".join(block.html for block in blocks),
        tuple(heading for block in blocks for heading in block.headings),
        any(block.search_exclude for block in blocks),
    )


def compiled_template_cache(directory: Path) -> jinja2.BytecodeCache | None:
    """Jinja2's own cache of compiled templates, in `directory`: a build loads each
    template's code instead of compiling it again (Material's templates took 0.4 s of a
    rebuild's 5.3 s to compile). Jinja2 keys each entry by the template's name and checks
    its source and Jinja2's version before it uses one, and writes each atomically; the
    environment's settings (autoescape, trim_blocks) are in neither, so each environment
    needs a folder of its own. None, with a warning, where the folder cannot be made:
    every template is compiled."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning(
            f"compiled templates: {directory} cannot be made "
            f"({error.strerror or error}); every template is compiled"
        )
        return None
    return _CompiledTemplates(str(directory))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """A damaged entry (cut short, overwritten) is compiled again and written anew:
        Jinja2 checks its header and its code, but not the checksum between them."""
        try:
            super().load_bytecode(bucket)
        except Exception:  # whatever unpickling a damaged checksum raises
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """A full or read-only disk keeps nothing: the build goes on, compiling."""
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class Templates:
    """The template environment: a site's overrides first, then the shipped templates."""

    def __init__(
        self,
        custom_dir: Path | str | None = None,
        bytecode_cache: jinja2.BytecodeCache | None = None,
    ) -> None:
        shipped = jinja2.FileSystemLoader(SHIPPED)
        loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({SHIPPED_PREFIX: shipped})]
        self.custom_dir = Path(custom_dir) if custom_dir else None
        if self.custom_dir is not None:
            loaders.append(jinja2.FileSystemLoader(self.custom_dir))
        loaders.append(shipped)
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
            bytecode_cache=bytecode_cache,
        )
        self.environment.globals["count"] = count
        self.environment.filters["markdown_text"] = markdown_text
        self.overrides, self.problems = self._find_overrides()
        self._compiled: dict[str, jinja2.Template] = {}
        # Blocks rendered by the last build, reused under the same template and view.
        self.memo: BlockCache | None = None

    def identity(self) -> str:
        """What a rendering depends on besides its view: every file a template can load
        (the shipped ones and all of the site's custom_dir), this module (the filters and
        settings) and the versions of Jinja2 and MarkupSafe."""
        parts = [version("jinja2"), version("markupsafe"), Path(__file__).read_text("utf-8")]
        for number, directory in enumerate(filter(None, (SHIPPED, self.custom_dir))):
            for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
                parts.append(f"{number} {path.relative_to(directory).as_posix()}")
                parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
        return digest(*parts)

    @staticmethod
    def names() -> list[str]:
        """The shipped templates' names, `casebook/NAME.html`."""
        return sorted(f"{FOLDER}/{p.name}" for p in (SHIPPED / FOLDER).glob("*.html"))

    def _find_overrides(self) -> tuple[list[Path], list[Problem]]:
        if self.custom_dir is None or not (self.custom_dir / FOLDER).is_dir():
            return [], []
        shipped = {name.rpartition("/")[2] for name in self.names()}
        used, problems = [], []
        for path in sorted((self.custom_dir / FOLDER).glob("*.html")):
            if path.name in shipped:
                used.append(path)
            elif not path.name.startswith("_"):  # `_name.html`: a site's own helper
                problems.append(
                    Problem(
                        display_path(path),
                        1,
                        f"no shipped template is called {path.name}, so it replaces nothing; "
                        f"rename it to one of: {', '.join(sorted(shipped))} (or start its "
                        "name with _ if another template includes it)",
                    )
                )
        return used, problems

    def check(self) -> None:
        """Compile every template a build uses now, so a broken override stops the build
        before any page is made."""
        for name in self.names():
            self._template(name)

    def _template(self, name: str) -> jinja2.Template:
        template = self._compiled.get(name)
        if template is None:
            try:
                template = self.environment.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                raise TemplateProblem(
                    Problem(
                        display_path(Path(error.filename or name)),
                        error.lineno,
                        error.message or "",
                    )
                ) from None
            self._compiled[name] = template
        return template

    def render(self, name: str, /, **view: object) -> str:
        """`casebook/NAME.html` rendered with `view`, its plain data."""
        if self.memo is not None:
            return self.memo.rendered(name, view, lambda: self._render(name, view))
        return self._render(name, view)

    def _render(self, name: str, view: dict[str, object]) -> str:
        template = self._template(name)
        try:
            return template.render(view)
        except Exception as error:  # any failure inside a template is the template's
            raise TemplateProblem(_where(error, template)) from None

    def block(self, name: str, /, *, search_exclude: bool = False, **view: object) -> HtmlBlock:
        """A template rendered as an HtmlBlock, its headings found in what it rendered (so
        an override's own headings reach the table of contents too)."""
        html = self.render(name, **view)
        return HtmlBlock(html, headings_in(html), search_exclude)


def count(number: int, noun: str = "case study", plural: str = "case studies") -> str:
    """`count(2)` is "2 case studies"."""
    return f"{number} {noun if number == 1 else plural}"


def markdown_text(text: str) -> str:
    """For a template whose output is Markdown: text that keeps its meaning there (the
    autoescape that follows makes it safe as HTML too)."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def _where(error: Exception, template: jinja2.Template) -> Problem:
    """The template file and line an error came from: Jinja rewrites the traceback so
    that its frames are the templates' own lines."""
    path, line = template.filename or template.name or "?", 1
    traceback: TracebackType | None = error.__traceback__
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith(".html") and os.path.exists(filename):
            path, line = filename, traceback.tb_lineno
        traceback = traceback.tb_next
    message = str(error) or type(error).__name__
    if isinstance(error, jinja2.UndefinedError):
        message += " (see TEMPLATES.md for the variables each template gets)"
    return Problem(display_path(Path(path)), line, message)


_HEADING = re.compile(r'<h([2-6])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink".*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def headings_in(html: str) -> tuple[Heading, ...]:
    """The headings with an id in generated HTML, as the table of contents lists them
    (the text without its tags or permalink, still escaped)."""
    return tuple(
        Heading(int(level), anchor, _TAG.sub("", _HEADERLINK.sub("", inner)).strip())
        for level, anchor, inner in _HEADING.findall(html)
    )
