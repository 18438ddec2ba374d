"""Defence in depth: every page's rendered HTML passes through nh3 (the Rust `ammonia`
allowlist sanitiser), so script, iframe, object, style, event attributes and script URLs
never reach the site, whatever got past `casebook check`."""

from __future__ import annotations

import nh3

# Beyond nh3's defaults: what Markdown, Material and Casebook's own blocks produce.
EXTRA_TAGS = {
    "form",
    "input",
    "label",
    "button",
    "fieldset",
    "legend",
    "select",
    "option",
    "textarea",
    "section",
    "main",
    "svg",
    "path",
    "use",
    "g",
    "title",
    "rect",
    "text",
}
COMMON_ATTRIBUTES = {"class", "id", "title", "role", "hidden", "lang", "dir", "tabindex"}
EXTRA_ATTRIBUTES = {
    "a": {"href", "hreflang", "rel", "target", "download"},
    "img": {"src", "alt", "width", "height", "loading", "align"},
    "details": {"open"},
    "form": {"action", "method", "autocomplete"},
    "input": {
        "accept",
        "type",
        "name",
        "value",
        "checked",
        "placeholder",
        "autocomplete",
        "spellcheck",
        "disabled",
        "readonly",
        "required",
        "min",
        "max",
        "step",
        "maxlength",
    },
    "label": {"for"},
    "button": {"type", "name", "value", "disabled"},
    "select": {"name", "multiple", "disabled"},
    "option": {"value", "selected"},
    "textarea": {"name", "rows", "cols", "placeholder"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "align", "headers"},
    "th": {"colspan", "rowspan", "align", "scope", "headers"},
    # html5ever gives SVG attributes their SVG case: viewBox, not viewbox.
    "svg": {"viewbox", "viewBox", "xmlns", "width", "height", "fill", "aria-hidden", "focusable"},
    "rect": {"x", "y", "width", "height", "rx"},
    "text": {"x", "y", "text-anchor"},
    "path": {"d", "fill", "fill-rule", "clip-rule"},
    "use": {"href"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _attributes() -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {
        tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()
    }
    for tag, values in EXTRA_ATTRIBUTES.items():
        merged.setdefault(tag, set()).update(values)
    merged["*"] = COMMON_ATTRIBUTES
    return merged


_TAGS = set(nh3.ALLOWED_TAGS) | EXTRA_TAGS
_ATTRIBUTES = _attributes()


# Built once: passing the allowlists to nh3.clean converted them on every page.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "frame",
        "frameset",
        "applet",
    },
    attributes=_ATTRIBUTES,
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes=URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def sanitise_html(html: str) -> str:
    """Rendered page HTML with everything outside the allowlist removed."""
    return _CLEANER.clean(html)
