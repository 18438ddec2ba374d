"""Generated blocks kept between builds under exactly what they are made from: a
template's output under the template and its view data, the sanitiser's output under its
input. A warm rebuild then renders and sanitises only the blocks whose inputs changed.

At 1,000 case studies a rebuild rendered 4,900 blocks (each case study's panel, footer,
related list and <head> additions) and sanitised 3,500 pieces of HTML (18 MB), the same
as the build before for all but a few pages: about 1.5 s of the main process's CPU.

A key is the input itself, never a guess at what it depends on: the view data written
out whole (a value whose rendering could depend on more than what can be written out,
such as a case study with its whole model, is never kept, and the template is rendered),
or the HTML's digest. The cache's context covers what else the output depends on: the
templates' files (a site's overrides too), the sanitiser's allowlists, and the versions
of Jinja2, MarkupSafe and nh3; any change to them starts an empty cache. Kept as the
render cache keeps pages (render_cache.py: checksummed JSON, stale records drop out).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path

from markupsafe import Markup

from . import sanitize
from .render_cache import CacheOverRecords, RenderCache, digest

CACHE_FILE = "blocks.json"


class _NotPlain(Exception):
    """A value the key cannot write out whole."""


# Field names by dataclass: `dataclasses.fields` is slow enough to show in a profile.
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    """A view class's fields: a frozen dataclass whose fields are all a template can
    read of it (a property or method could show what no field holds)."""
    names = _FIELDS.get(kind)
    if names is None:
        params = getattr(kind, "__dataclass_params__", None)
        if params is None or not params.frozen or _computes(kind):
            raise _NotPlain(kind.__name__)
        names = _FIELDS[kind] = tuple(field.name for field in dataclasses.fields(kind))
    return names


def _computes(kind: type) -> bool:
    """True when the class (or a base) defines a property, method or descriptor of its
    own, beyond what @dataclass writes."""
    for cls in kind.__mro__[:-1]:  # not object
        for name, value in vars(cls).items():
            if name.startswith("__") and name.endswith("__"):
                continue  # __init__, __eq__, __hash__ ... written by @dataclass
            if callable(value) or hasattr(value, "__get__"):
                return True
    return False


def _write(value: object, out: list[str], slot: str) -> None:
    """Append `value` to `out` as text that differs whenever its rendering could: strings
    with their length (so no two values run together), every container and Markup with
    its type (a tuple prints as "(…)", a list as "[…]"; Markup is not escaped), a
    dataclass with its class and fields. Flat strings, not nested lists: a key is made for
    every block of every page."""
    kind = type(value)
    if kind is str:
        out.append(f"s{len(value)}:")  # type: ignore[arg-type]
        out.append(value)  # type: ignore[arg-type]
    elif kind is Markup:
        if slot and value == slot:
            out.append("S")
        else:
            out.append(f"m{len(value)}:")  # type: ignore[arg-type]
            out.append(value)  # type: ignore[arg-type]
    elif kind is list or kind is tuple:
        out.append("[" if kind is list else "(")
        for item in value:  # type: ignore[attr-defined]
            _write(item, out, slot)
        out.append("]")
    elif kind is dict:
        out.append("{")
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise _NotPlain("dict key")
            _write(key, out, slot)
            _write(item, out, slot)
        out.append("}")
    elif value is None or kind is bool or kind is int or kind is float:
        out.append(f"{kind.__name__}{value!r};")
    elif kind is dt.date or kind is dt.datetime:
        out.append(f"{kind.__name__}{value.isoformat()};")  # type: ignore[attr-defined]
    else:
        names = _fields(kind)
        out.append(f"<{kind.__module__}.{kind.__qualname__}")
        for name in names:
            _write(getattr(value, name), out, slot)
        out.append(">")


def view_key(name: str, view: Mapping[str, object], slot: str = "") -> str | None:
    """The key of template `name` rendered with `view`, or None when the view holds a
    value it cannot write out whole. `slot`, the build's placeholder for the related list,
    is written as a fixed mark: it differs every build and is put back on reuse."""
    out: list[str] = []
    try:
        _write(dict(view), out, slot)
    except _NotPlain:
        return None
    return digest("render", name, "".join(out))


def sanitiser_identity() -> str:
    """What the sanitiser's output depends on besides its input: nh3 and the allowlists."""
    return digest(version("nh3"), Path(sanitize.__file__).read_text(encoding="utf-8"))


class BlockCache(CacheOverRecords):
    """Rendered templates and sanitised HTML from the last build, used under the same key
    only. `slot` is this build's placeholder for the related list."""

    def __init__(self, directory: Path, templates_identity: str, slot: str = "") -> None:
        context = digest(templates_identity, sanitiser_identity())
        self.records = RenderCache(Path(directory) / CACHE_FILE, context)
        self.slot = slot

    def _get(self, key: str) -> dict | None:
        record = self.records.get(key)
        if record is None:
            return None
        if not isinstance(record.get("html"), str) or not isinstance(record.get("slot"), str):
            self.records.forget(key)  # a record not as this module writes it: made again
            return None
        return record

    def sanitised(self, html: str) -> str:
        """`html` through the sanitiser, or its output for the same HTML last time (a
        case study's footer holds the build's slot: it is keyed by what surrounds it)."""
        slot = self.slot if self.slot and self.slot in html else ""
        if slot:
            key = digest("sanitise-around-slot", json.dumps(html.split(slot)))
        else:
            key = digest("sanitise", html)
        record = self._get(key)
        if record is not None:
            kept = record["html"]
            return kept.replace(record["slot"], slot) if slot and record["slot"] else kept
        clean = sanitize.sanitise_html(html)
        # Reused with this build's slot put back only if the sanitiser kept every one as it
        # was: then the same HTML around another slot gives the same output around it.
        if not slot or clean.count(slot) == html.count(slot):
            self.records.put(key, {"html": clean, "slot": slot})
        return clean

    def rendered(self, name: str, view: Mapping[str, object], render: Callable[[], str]) -> str:
        """`render()` (template `name` with `view`), or its output for the same view."""
        key = view_key(name, view, self.slot)
        if key is None:
            return render()
        record = self._get(key)
        if record is not None:
            html, slot = record["html"], record["slot"]
            return html.replace(slot, self.slot) if slot else html
        html = render()
        used = self.slot if self.slot and self.slot in html else ""
        self.records.put(key, {"html": html, "slot": used})
        return html
