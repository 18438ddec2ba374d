"""Safe YAML parsing that keeps the line of every key and list item.

Only plain data is accepted: SafeLoader refuses tags that construct objects, and anchors
and aliases are refused outright, so an alias bomb is rejected before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's C parser when PyYAML was built with it (the PyPI wheels are): same safe
# constructors, same marks, several times faster on thousands of files.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class ParsedYaml:
    data: Any = None
    # "themes" -> line of the key; "themes.0" -> line of the first item; "source.title" ...
    lines: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    error_line: int = 1
    error_column: int = 0  # 1-based; 0 when the parser gave no position


def parse_yaml(text: str, first_line: int = 1) -> ParsedYaml:
    """Parse `text` (which starts at `first_line` of its file) into plain data and key lines."""
    try:
        loader = SafeLoader(text)
        try:
            # Composing shares one node for every use of an alias, so an alias bomb is a
            # small graph here; it is refused below before construction would expand it.
            node = loader.get_single_node()
            lines: dict[str, int] = {}
            if node is not None:
                alias_line = _record_lines(node, "", first_line, lines, set())
                if alias_line is not None:
                    return ParsedYaml(
                        error="YAML anchors and aliases (&name, *name) are not allowed here; "
                        "write each value out in full",
                        error_line=alias_line,
                    )
                duplicate = _duplicate_key(node, first_line)
                if duplicate is not None:
                    return ParsedYaml(error=duplicate[1], error_line=duplicate[0])
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        column = mark.column + 1 if mark else 0
        return ParsedYaml(error=_describe(error), error_line=line, error_column=column)
    except yaml.reader.ReaderError as error:  # e.g. a pasted NUL or escape: no mark, no line
        return _refused_character(text, first_line, error)
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks nearly every error
        return ParsedYaml(error=f"invalid YAML: {error}", error_line=first_line)
    return ParsedYaml(data=data, lines=lines)


def _refused_character(text: str, first_line: int, error: yaml.reader.ReaderError) -> ParsedYaml:
    """The reader refuses the first character YAML does not allow; its position counts
    characters or bytes depending on the parser, so the character is looked up instead."""
    character = chr(error.character)  # a code point, from either parser
    index = max(text.find(character), 0)
    return ParsedYaml(
        error=f"the character U+{ord(character):04X} is not allowed in YAML; "
        "delete it (retype the text if you pasted it)",
        error_line=first_line + text.count("\n", 0, index),
        error_column=index - text.rfind("\n", 0, index),
    )


def _describe(error: yaml.MarkedYAMLError) -> str:
    problem = (error.problem or "").strip()
    if isinstance(error, yaml.constructor.ConstructorError) and "tag" in problem:
        return (
            f"YAML tags that build objects are not allowed ({problem}); "
            "use plain text, numbers and lists"
        )
    context = (error.context or "").strip()
    detail = f"{context}: {problem}" if context else problem
    return (
        f"invalid YAML ({detail}); check the indentation, and put values that contain "
        "a colon or start with a quote in double quotes"
    )


def _duplicate_key(node: yaml.Node, first_line: int) -> tuple[int, str] | None:
    """(line, message) for the first key written twice in one mapping: PyYAML keeps the
    last silently, so a second `title:` further down would replace the one a reviewer read.
    Runs after aliases are refused, so the nodes form a tree."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                stack.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                line = first_line + key_node.start_mark.line
                if key_node.value in seen:
                    # escaped, without ascii()'s own quotes (the message adds them)
                    name = key_node.value
                    if not name.isprintable():
                        name = ascii(name)[1:-1]
                    return line, (
                        f"'{name}' is written twice (first on line {seen[key_node.value]}); "
                        "keep one"
                    )
                seen[key_node.value] = line
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None


def _record_lines(
    node: yaml.Node, prefix: str, first_line: int, lines: dict[str, int], seen: set[int]
) -> int | None:
    """Record the line of every key and item; return the line of the first node met twice
    (an alias: without aliases every node is distinct), or None."""
    if id(node) in seen:
        return first_line + node.start_mark.line
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        children = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                # A complex key has no line worth recording, but it and its value are
                # walked all the same: an alias anywhere is refused.
                for part in (key_node, value_node):
                    alias = _record_lines(part, "", first_line, {}, seen)
                    if alias is not None:
                        return alias
                continue
            if id(key_node) in seen:
                return first_line + key_node.start_mark.line
            seen.add(id(key_node))
            children.append((f"{prefix}{key_node.value}", key_node, value_node))
    elif isinstance(node, yaml.SequenceNode):
        children = [(f"{prefix}{index}", item, item) for index, item in enumerate(node.value)]
    else:
        return None
    for key, marked, value in children:
        lines.setdefault(key, first_line + marked.start_mark.line)
        alias = _record_lines(value, key + ".", first_line, lines, seen)
        if alias is not None:
            return alias
    return None
