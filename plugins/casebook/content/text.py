"""Small text helpers shared by every step: slugs and "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """'The Advisory Group (TAG)' -> 'the-advisory-group-tag'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))


def did_you_mean(value: str, choices: list[str], limit: int = 3) -> str:
    """' (did you mean 'x' or 'y'?)' for the nearest choices, or '' when none is near."""
    lowered = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(value.lower(), list(lowered), n=limit, cutoff=0.5)
    if not matches:
        slug = slugify(value)
        matches = [key for key in lowered if slug and (slug in key or key in slug)][:limit]
    if not matches:
        return ""
    quoted = [f"'{lowered[match]}'" for match in matches]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {joined}?)"
