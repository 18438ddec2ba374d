"""Front matter and taxonomy.yml are plain text: no markup, no invisible or direction-changing
characters, and no title that only looks like another.

Every string a contributor writes outside the Markdown body lands in places the theme
prints without escaping (the header, `<title>`, `<meta>`, the search index), so the check
refuses markup there outright, and the site escapes it anyway (site/page_guard.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

# "<" followed by what starts a tag, an end tag, a comment or a processing instruction;
# a lone "<" in prose ("fewer than < 5") is fine.
_TAG = re.compile(r"<[A-Za-z/!?]")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")

# Characters that change the direction of the text around them (Trojan Source).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\n\t")


def plain_text_problem(value: str) -> str | None:
    """What is wrong with one contributed string for a plain-text place, or None.

    Linear in the string: one pass for characters, one regex without backtracking."""
    for character in value:
        if character in _ALLOWED_CONTROLS or character.isprintable() and character != "\u00ad":
            continue
        if character in _BIDI:
            return (
                f"contains the invisible direction-changing character {_name(character)}, "
                "which can make text read differently from what it is; delete it"
            )
        category = unicodedata.category(character)
        if category == "Cf" or character == "\u00ad":
            return (
                f"contains the invisible character {_name(character)}; delete it "
                "(retype the text if you pasted it)"
            )
        if category in ("Cc", "Zl", "Zp"):
            return f"contains the control character {_name(character)}; delete it"
    if _TAG.search(value):
        return "contains HTML markup ('<' starting a tag); write plain text without tags"
    if "&" in value and _ENTITY.search(value) and _TAG.search(html.unescape(value)):
        return (
            "contains HTML entities that spell a tag (such as '&lt;'); write plain text "
            "without tags"
        )
    return None


def _name(character: str) -> str:
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} {name}" if name else code


def strings_in(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key path, string) in YAML data, keys included; paths as the loader records
    them ('source.title', 'partners.0')."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            path = f"{key}.{name}" if key else str(name)
            if isinstance(name, str):
                yield path, name
            yield from strings_in(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{key}.{index}" if key else str(index))


def plain_text_problems(data: Any) -> Iterator[tuple[str, str]]:
    """(key path, message) for every string in `data` that is not plain text."""
    for key, text in strings_in(data):
        message = plain_text_problem(text)
        if message is not None:
            yield key, f"'{key or 'value'}' {message}"


# Latin look-alikes from other scripts, by the Unicode confusables data (UTS #39) for the
# letters a title can be written in. NFKC already folds fullwidth and mathematical forms;
# this covers what NFKC leaves: Cyrillic and Greek letters drawn like Latin ones. A short
# table is enough here; the libraries that carry the full data load megabytes at import.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic lower case
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j",
        "к": "k", "ӏ": "l", "м": "m", "п": "n", "о": "o", "р": "p", "ԛ": "q", "г": "r",
        "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ь": "b",
        # Cyrillic upper case (after casefold these are lower case; kept for clarity)
        "А": "a", "В": "b", "С": "c", "Е": "e", "Н": "h", "І": "i", "Ј": "j", "К": "k",
        "М": "m", "О": "o", "Р": "p", "Ѕ": "s", "Т": "t", "Х": "x", "У": "y", "Ү": "y",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ϲ": "c", "ϳ": "j",
        "Α": "a", "Β": "b", "Ε": "e", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
        "Ο": "o", "Ρ": "p", "Τ": "t", "Χ": "x", "Υ": "y", "Ζ": "z",
        # digits and letters that pass for each other in most fonts
        "0": "o", "1": "l", "|": "l", "ı": "i",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")


def title_key(title: str) -> str:
    """What two titles must differ in to be told apart by a reader: compared after NFKC,
    case folding, dropping invisible characters and folding look-alike letters."""
    text = unicodedata.normalize("NFKC", title)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc", "Mn"))
    text = text.casefold().translate(_CONFUSABLES)
    text = text.replace("l", "i")  # drawn alike in many sans-serif fonts
    return _SPACES.sub(" ", text).strip()
