"""The package layout shows the flow: imports run one way, and the core knows no MkDocs."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "casebook"
# Lower layers never import higher ones: content is read and modelled first, the site is
# made from the model, search indexes what the site shows, and the adapters wire it all.
LAYERS = {"content": 0, "site": 1, "search": 2}
ADAPTER = 3
CORE = set(LAYERS)


def layer_of(module: str) -> int:
    """'casebook.site.generate' -> 1; top-level modules are adapters."""
    parts = module.split(".")
    return LAYERS.get(parts[1], ADAPTER) if len(parts) > 1 else ADAPTER


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in a module of the package."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path):
    here = layer_of(module_name(path))
    upward = [
        f"{path.relative_to(PACKAGE)}:{line} imports {target}"
        for line, target in imports_of(path)
        if target.startswith("casebook.") and layer_of(target) > here
    ]
    assert upward == []


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if module_name(p).split(".")[1:2] and module_name(p).split(".")[1] in CORE],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_core_never_imports_mkdocs(path):
    assert [t for _, t in imports_of(path) if t.split(".")[0] == "mkdocs"] == []


def test_relative_imports_resolve_to_the_modules_they_name():
    """The check itself: layers rank as documented and relative imports are resolved."""
    assert layer_of("casebook.content.model") < layer_of("casebook.site.generate")
    assert layer_of("casebook.search.related") < layer_of("casebook.mkdocs_plugin")
    model = PACKAGE / "content" / "model.py"
    assert any(t == "casebook.content.load" for _, t in imports_of(model))


def test_every_subpackage_is_named_for_its_job():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert CORE <= folders


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_long_module_says_why_at_its_top(path):
    """Small modules with one job are the rule; about 250 lines is where one needs a reason,
    given in its docstring ("Over 250 lines because ...")."""
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert lines <= 275 or "Over 250 lines because" in docstring, (
        f"{path.relative_to(PACKAGE)} has {lines} lines: split it, or say why at its top"
    )


def test_the_readme_module_map_names_every_module_and_no_other():
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    code = readme.split("## Code\n")[1].split("\n## ")[0]
    named = set(re.findall(r"`([\w.]+\.py)`", code))
    modules = {p.name for p in MODULES if p.name != "__init__.py"}
    assert sorted(modules - named) == [], "README.md's module map misses these"
    assert sorted(named - modules) == [], "README.md's module map names modules that are gone"
