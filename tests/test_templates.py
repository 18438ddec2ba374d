"""Templates: shipped ones render the pages, a site's overrides replace them, and a broken
override stops the build at its own file and line."""

import ast
import re

import pytest
from casebook.content.catalogue import load_catalogue
from casebook.site.blocks import case_study_panel
from casebook.site.templating import SHIPPED, TemplateProblem, Templates

from .conftest import ROOT, TODAY, build_in_process, site_config, write


def build_with_overrides(content, tmp_path, overrides: dict[str, str]):
    """A strict build of the fixture content with `theme.custom_dir: overrides`."""
    config = site_config(content, tmp_path / "site")
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^  custom_dir: .*$", "  custom_dir: overrides", text, count=1))
    (content.parent / "overrides").mkdir(exist_ok=True)
    for name, template in overrides.items():
        write(content.parent / "overrides", name, template)
    return build_in_process(content, tmp_path / "site", tmp_path / "index", config_file=config)


def page(tmp_path, url: str) -> str:
    return (tmp_path / "site" / url / "index.html").read_text(encoding="utf-8")


CARD = """\
{% extends "shipped/casebook/case_card.html" %}
{% block meta %}<p class="my-meta">Partners: {{ card.partners|join(" and ") }}</p>{% endblock %}
"""
PANEL = """\
<aside class="my-panel">{% for row in rows %}<b>{{ row.label }}</b>{% endfor %}</aside>
"""


def test_overrides_of_the_card_and_the_panel_change_the_built_pages(content, tmp_path):
    result = build_with_overrides(
        content,
        tmp_path,
        {"casebook/case_card.html": CARD, "casebook/glance.html": PANEL},
    )
    assert result.ok, "\n".join(result.lines)
    catalogue = page(tmp_path, "case_studies")
    # the block the override changed, and the blocks it kept from the shipped card
    assert '<p class="my-meta">Partners: Alpha Trust and Shared Partner</p>' in catalogue
    assert 'class="cb-card__meta"' not in catalogue
    assert '<h3><a href="alpha-network/">Alpha Network</a></h3>' in catalogue
    case = page(tmp_path, "case_studies/alpha-network")
    assert '<aside class="my-panel"><b>Place</b><b>Partners</b>' in case
    assert "cb-glance" not in case
    # the build says what it used
    overrides = content.parent / "overrides" / "casebook"
    assert (
        f"INFO    -  casebook: templates overridden from {overrides}: case_card.html, glance.html"
        in result.lines
    )


def test_a_broken_override_fails_the_build_at_its_file_and_line(content, tmp_path):
    broken = "<p>\n{{ card.title }\n</p>\n"
    result = build_with_overrides(content, tmp_path, {"casebook/case_card.html": broken})
    assert result.error == "Aborted with a BuildError!"
    assert result.at("ERROR") == [
        f"ERROR   -  {content.parent}/overrides/casebook/case_card.html:2: unexpected '}}'"
    ]


def test_an_override_using_a_missing_variable_fails_at_its_line(content, tmp_path):
    broken = "<p>\n{{ card.title }}\n{{ card.colour }}</p>\n"
    result = build_with_overrides(content, tmp_path, {"casebook/case_card.html": broken})
    assert result.error == "Aborted with a BuildError!"
    assert result.at("ERROR") == [
        f"ERROR   -  {content.parent}/overrides/casebook/case_card.html:3: "
        "'casebook.site.views.Card object' has no attribute 'colour' (see TEMPLATES.md for "
        "the variables each template gets)"
    ]


def test_an_override_with_no_shipped_namesake_is_reported(content, tmp_path):
    result = build_with_overrides(content, tmp_path, {"casebook/case-card.html": "<p></p>"})
    assert result.error == "Aborted with 1 warnings in strict mode!"  # strict: it fails
    shipped = ", ".join(sorted(p.name for p in (SHIPPED / "casebook").glob("*.html")))
    assert "case_card.html, case_footer.html" in shipped
    assert result.at("WARNING") == [
        f"WARNING -  casebook: {content.parent}/overrides/casebook/case-card.html:1: "
        f"no shipped template is called case-card.html, so it replaces nothing; rename it to "
        f"one of: {shipped} (or start its name with _ if another template includes it)"
    ]


def test_values_are_escaped_by_the_template_not_by_hand(content, tmp_path):
    catalogue, _ = load_catalogue(content, today=TODAY)
    case = catalogue.case_study("alpha-network")
    case.summary = '<img src=x onerror="alert(1)"> & "quoted"'
    panel = case_study_panel(Templates(), catalogue, case)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;quoted&#34;" in panel
    assert "<img" not in panel


def test_render_errors_name_the_template_and_line(tmp_path):
    write(tmp_path, "casebook/glance.html", "<p>{{ summary }}</p>\n{{ rows[0].nothing }}\n")
    templates = Templates(tmp_path)
    templates.check()
    with pytest.raises(TemplateProblem) as raised:
        templates.render("casebook/glance.html", summary="s", rows=[])
    assert raised.value.problem.line == 2
    assert raised.value.problem.path.endswith("casebook/glance.html")


# -- the reference page is checked against the templates ----------------------------------

REFERENCE = ROOT / "TEMPLATES.md"


def template_interface(name: str) -> tuple[set[str], set[str]]:
    """The variables a template reads from its caller, and the blocks it defines."""
    from jinja2 import meta, nodes

    environment = Templates().environment
    tree = environment.parse((SHIPPED / name).read_text(encoding="utf-8"))
    bound = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    for node in tree.find_all(nodes.FromImport):
        bound |= {name if isinstance(name, str) else name[1] for name in node.names}
    read = meta.find_undeclared_variables(tree) - bound - set(environment.globals)
    return read, {node.name for node in tree.find_all(nodes.Block)}


def reference_sections() -> dict[str, str]:
    text = REFERENCE.read_text(encoding="utf-8")
    parts = re.split(r"^### (casebook/\S+\.html)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("name", Templates.names())
def test_the_reference_lists_each_templates_variables_and_blocks(name):
    section = reference_sections().get(name)
    assert section is not None, f"TEMPLATES.md has no '### {name}' section"
    variables, blocks = template_interface(name)
    documented, _, block_line = section.partition("- Blocks:")
    missing = sorted(v for v in variables if f"`{v}`" not in documented)
    assert missing == [], f"TEMPLATES.md: {name} reads {missing} without saying so"
    named = set(re.findall(r"`(\w+)`", re.sub(r"\(.*?\)", "", block_line, flags=re.S)))
    assert named == blocks, f"TEMPLATES.md: {name} defines blocks {sorted(blocks)}"


def test_the_reference_has_no_section_for_a_template_that_is_gone():
    assert sorted(reference_sections()) == Templates.names()


# -- markup lives in templates -----------------------------------------------------------

CORE = [ROOT / "plugins" / "casebook" / layer for layer in ("content", "site", "search")]
# The sanitiser's allowlist names the markup it lets through; search snippets are part of
# the search API's JSON (words matched in <mark>), not of a page, so no template sees them.
MAY_WRITE_MARKUP = {
    "site/sanitize.py": None,
    "search/whoosh_index.py": {"mark"},
    # The post-build scan reads finished pages: its patterns and messages name tags.
    "site/page_guard.py": None,
    # Records for the Pagefind indexer, every value escaped: its input, never a page.
    "search/static_index.py": None,
}
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")


def markup_in_python(path) -> list[tuple[int, str]]:
    """(line, tag) for each string literal in a module that holds an HTML tag, leaving out
    docstrings and the patterns passed to re.compile (which read HTML, not write it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("compile", "sub"):
            skip.update(id(child) for child in ast.walk(node.args[0]) if node.args)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found.extend((node.lineno, tag.lower()) for tag in TAG.findall(node.value))
    return found


def test_the_python_core_writes_no_markup_templates_do():
    found = []
    for layer in CORE:
        for path in sorted(layer.rglob("*.py")):
            relative = path.relative_to(ROOT / "plugins" / "casebook").as_posix()
            allowed = MAY_WRITE_MARKUP.get(relative, set())
            if allowed is None:
                continue
            found += [
                f"{relative}:{line}: <{tag}>"
                for line, tag in markup_in_python(path)
                if tag not in allowed
            ]
    assert found == [], "markup belongs in site/templates/casebook/: " + ", ".join(found)


def test_the_markup_check_finds_a_tag_in_a_string(tmp_path):
    module = tmp_path / "module.py"
    module.write_text('"""A <p> in a docstring is prose."""\nX = f"<li>{1}</li>"\n')
    assert markup_in_python(module) == [(2, "li"), (2, "li")]


THEME_MAIN = """\
{% extends "base.html" %}
{% block content %}<p class="my-mark">MARK</p>{{ super() }}{% endblock %}
"""


def test_a_rebuild_loads_compiled_templates_and_an_edited_one_is_compiled_again(
    content, tmp_path, monkeypatch
):
    import jinja2

    overrides = {"main.html": THEME_MAIN, "casebook/case_card.html": CARD}
    assert build_with_overrides(content, tmp_path, overrides).ok
    folder = content.parent / "build" / "cache" / "templates"
    assert len(list((folder / "theme").glob("__jinja2_*.cache"))) > 10
    assert len(list((folder / "casebook").glob("__jinja2_*.cache"))) > 5
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert build_with_overrides(content, tmp_path, overrides).ok
    assert "main.html" not in compiled and "base.html" not in compiled
    assert not [name for name in compiled if name and name.startswith("casebook/")]
    # A template whose source changed is compiled anew, and the site shows the change.
    compiled.clear()
    overrides["main.html"] = THEME_MAIN.replace("MARK", "CHANGED")
    overrides["casebook/case_card.html"] = CARD.replace("my-meta", "my-new-meta")
    assert build_with_overrides(content, tmp_path, overrides).ok
    assert "main.html" in compiled and "casebook/case_card.html" in compiled
    case = page(tmp_path, "case_studies/alpha-network")
    assert '<p class="my-mark">CHANGED</p>' in case and "MARK" not in case
    assert '<p class="my-new-meta">' in page(tmp_path, "case_studies")


def test_damaged_compiled_templates_are_compiled_again(content, tmp_path):
    import jinja2

    overrides = {"main.html": THEME_MAIN}
    assert build_with_overrides(content, tmp_path, overrides).ok
    kept = sorted((content.parent / "build" / "cache" / "templates").rglob("__jinja2_*.cache"))
    for number, path in enumerate(kept):
        data = path.read_bytes()
        # cut short inside the checksum, zeroed, or a stranger's bytes
        damaged = (data[: len(data) // 40 + 9], bytes(len(data)), b"\x80\x04junk")[number % 3]
        path.write_bytes(damaged)
    (content.parent / "build" / "cache" / "pages.json").unlink()  # the theme renders all
    result = build_with_overrides(content, tmp_path, overrides)
    assert result.ok, "\n".join(result.lines)
    assert '<p class="my-mark">MARK</p>' in page(tmp_path, "case_studies/alpha-network")
    # Each template the build loaded was written anew (a template no page used waits).
    anew = [path for path in kept if path.read_bytes().startswith(jinja2.bccache.bc_magic)]
    assert len(anew) > len(kept) // 2


def test_compiled_templates_where_they_cannot_be_kept(tmp_path, caplog, monkeypatch):
    import errno

    import jinja2
    from casebook.site.templating import compiled_template_cache

    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    assert compiled_template_cache(blocker / "templates") is None
    assert "every template is compiled" in caplog.text and str(blocker) in caplog.text
    # A full disk: the templates compile and render, nothing is kept, nothing raised.
    folder = tmp_path / "full"
    cache = compiled_template_cache(folder)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", full)
        Templates(None, cache).check()
    assert list(folder.iterdir()) == []
    Templates(None, cache).check()
    assert list(folder.iterdir())  # room again: kept


def test_the_theme_and_casebook_keep_their_compiled_templates_apart(content, tmp_path):
    """One template file loaded under one name by both environments (a theme override
    including casebook's glance.html) compiles differently in each: casebook's escapes,
    the theme's does not. Each must load its own compilation, in every build."""
    overrides = {
        "main.html": (
            '{% extends "base.html" %}{% block content %}<div class="from-theme">'
            '{% include "casebook/glance.html" %}</div>{{ super() }}{% endblock %}'
        ),
        "casebook/glance.html": '{{ "<b>bold</b>" }}',
    }
    for _ in range(2):  # the first build writes the compiled templates, the second loads
        assert build_with_overrides(content, tmp_path, overrides).ok
        case = page(tmp_path, "case_studies/alpha-network")
        assert '<div class="from-theme"><b>bold</b></div>' in case
        assert "&lt;b&gt;bold&lt;/b&gt;" in case  # casebook's panel, escaped
