"""Loading: front matter split, key lines, and every way a file can be unreadable."""

from pathlib import Path

import pytest
from casebook.content.load import MAX_FILE_BYTES, document_kind, load_document
from casebook.content.problems import display_path

from .conftest import VALID_CASE, write


def load(content: Path, relative: str, text: str | bytes):
    path = content / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        write(content, relative, text)
    return load_document(path, content)


def test_keeps_the_line_of_every_key_and_list_item(tmp_path):
    document, problems = load(tmp_path, "case_studies/delta.md", VALID_CASE)
    assert problems == []
    assert document.meta["title"] == "Delta Project"
    assert document.line_of("title") == 2
    assert document.line_of("themes") == 5
    assert document.line_of("themes.0") == 6
    assert document.line_of("partners.1") == 11
    assert document.line_of("nonexistent") == 1
    assert document.body.strip() == "A body with words."
    assert document.body_line == 17  # the body starts right after the closing ---


def test_kind_follows_the_folder():
    assert document_kind("case_studies/x.md") == "case_study"
    assert document_kind("policy/x.md") == "policy"
    assert document_kind("case_studies/index.md") == "page"
    assert document_kind("guides/x.md") == "page"
    assert document_kind("about.md") == "page"


def test_missing_front_matter_is_a_problem_for_a_case_study(tmp_path):
    _, problems = load(tmp_path, "case_studies/x.md", "Just text.\n")
    assert [(p.line, "no front matter" in p.message) for p in problems] == [(1, True)]


def test_missing_front_matter_is_fine_for_an_ordinary_page(tmp_path):
    document, problems = load(tmp_path, "about.md", "# About\n")
    assert problems == [] and document.body == "# About\n"


def test_empty_front_matter(tmp_path):
    _, problems = load(tmp_path, "case_studies/x.md", "---\n---\nBody\n")
    assert len(problems) == 1 and "front matter is empty" in problems[0].message


def test_front_matter_that_is_not_a_mapping(tmp_path):
    _, problems = load(tmp_path, "case_studies/x.md", "---\n- a\n- b\n---\nBody\n")
    assert len(problems) == 1 and "name: value" in problems[0].message


def test_invalid_yaml_names_its_line(tmp_path):
    text = "---\ntitle: Fine\nsummary: [unclosed\nplace: x\n---\nBody\n"
    _, problems = load(tmp_path, "case_studies/x.md", text)
    assert len(problems) == 1
    assert problems[0].line in (3, 4, 5)
    assert problems[0].message.startswith("invalid YAML")


def test_python_object_tags_are_refused_by_the_safe_loader(tmp_path):
    text = "---\ntitle: x\nsummary: !!python/object/apply:os.system ['echo hacked']\n---\nB\n"
    document, problems = load(tmp_path, "case_studies/x.md", text)
    assert len(problems) == 1 and problems[0].line == 3
    assert "tags that build objects are not allowed" in problems[0].message
    assert document.meta == {}


def test_alias_bomb_is_refused_before_it_is_built(tmp_path):
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        name = chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    text = "\n".join([*lines, "---", "Body", ""])
    _, problems = load(tmp_path, "case_studies/x.md", text)
    assert len(problems) == 1 and problems[0].line == 2
    assert "anchors and aliases" in problems[0].message


def test_file_that_is_not_utf8_names_the_line(tmp_path):
    raw = VALID_CASE.replace("A body with words.", "caf\xe9").encode("latin-1")
    document, problems = load(tmp_path, "case_studies/x.md", raw)
    assert document is None
    assert len(problems) == 1 and problems[0].line == 18
    assert "not UTF-8" in problems[0].message


def test_file_over_the_size_limit(tmp_path):
    big = VALID_CASE + "word " * (MAX_FILE_BYTES // 5 + 10)
    document, problems = load(tmp_path, "case_studies/x.md", big)
    assert document is None and "over the 1,000,000-byte limit" in problems[0].message


def test_byte_order_mark_and_windows_line_endings_are_accepted(tmp_path):
    raw = ("\ufeff" + VALID_CASE).replace("\n", "\r\n").encode("utf-8")
    document, problems = load(tmp_path, "case_studies/x.md", raw)
    assert problems == [] and document.meta["title"] == "Delta Project"
    assert document.line_of("partners.1") == 11


def test_an_alias_under_a_complex_key_is_refused_too(tmp_path):
    text = "---\n? [&a [x, x], *a]\n: value\ntitle: x\n---\nBody\n"
    _, problems = load(tmp_path, "case_studies/x.md", text)
    assert len(problems) == 1 and problems[0].line == 2
    assert "anchors and aliases" in problems[0].message
    text = "---\n? [k]\n: [&b [x], *b]\ntitle: x\n---\nBody\n"
    _, problems = load(tmp_path, "case_studies/x.md", text)
    assert len(problems) == 1 and "anchors and aliases" in problems[0].message


def test_a_checkout_under_a_hidden_folder_is_read_but_hidden_files_inside_are_not(tmp_path):
    from casebook.content.load import content_files

    content = tmp_path / ".src" / "casebook" / "content"
    write(content, "case_studies/delta.md", VALID_CASE)
    write(content, ".drafts/hidden.md", VALID_CASE)
    write(content, "case_studies/.notes.md", VALID_CASE)
    assert [p.relative_to(content).as_posix() for p in content_files(content)] == [
        "case_studies/delta.md"
    ]


# -- mutation testing (issue 18): what a contributor reads for each kind of bad YAML -------
# Exact messages and lines, since a changed word or a line off by one is what they see.

ADVICE = (
    "; check the indentation, and put values that contain a colon or start with a quote "
    "in double quotes"
)


def only_problem(tmp_path: Path, front: str) -> tuple[int, int, str]:
    _, problems = load(tmp_path, "case_studies/x.md", f"---\n{front}---\nBody\n")
    assert len(problems) == 1, problems
    return problems[0].line, problems[0].column, problems[0].message


def test_a_python_tag_is_refused_with_the_tag_named(tmp_path):
    front = 'title: x\nsummary: !!python/object/apply:os.system ["echo"]\n'
    assert only_problem(tmp_path, front) == (
        3,
        10,
        "YAML tags that build objects are not allowed (could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'); "
        "use plain text, numbers and lists",
    )


def test_a_syntax_error_names_what_the_parser_was_doing(tmp_path):
    assert only_problem(tmp_path, "title: x\nthemes: [unclosed\nplace: y\n") == (
        4,
        6,
        "invalid YAML (while parsing a flow sequence: did not find expected ',' or ']')" + ADVICE,
    )


def test_a_syntax_error_without_context_is_the_problem_alone(tmp_path):
    assert only_problem(tmp_path, "title: a: b\n") == (
        2,
        9,
        "invalid YAML (mapping values are not allowed in this context)" + ADVICE,
    )


def test_errors_that_mention_a_tag_but_build_nothing_are_plain_syntax_errors(tmp_path):
    # an undefined tag handle is the parser's error, not a refused constructor
    assert only_problem(tmp_path, "title: !foo!bar x\n")[2] == (
        "invalid YAML (while parsing a node: found undefined tag handle)" + ADVICE
    )
    # a list as a key: the constructor refuses it, and no tag is involved
    assert only_problem(tmp_path, "? [a]\n: b\n")[2] == (
        "invalid YAML (while constructing a mapping: found unhashable key)" + ADVICE
    )


def test_a_key_written_twice_names_both_lines(tmp_path):
    front = "title: a\nsummary: s\ntitle: b\n"
    assert only_problem(tmp_path, front) == (
        4,
        0,
        "'title' is written twice (first on line 2); keep one",
    )


def test_a_key_written_twice_inside_a_nested_mapping_or_list_item_is_found(tmp_path):
    front = "title: a\nsource:\n  title: x\n  year: 2001\n  title: y\n"
    assert only_problem(tmp_path, front)[:1] == (6,)
    front = "title: a\nsources:\n  - title: x\n  - title: y\n    publisher: p\n    title: z\n"
    line, _, message = only_problem(tmp_path, front)
    assert (line, message) == (7, "'title' is written twice (first on line 5); keep one")


def test_a_key_written_twice_is_named_readably_even_with_control_characters(tmp_path):
    front = 'title: a\n"a\\tb": 1\n"a\\tb": 2\n'
    assert only_problem(tmp_path, front)[2] == (
        "'a\\tb' is written twice (first on line 3); keep one"
    )


def test_the_same_key_in_two_mappings_is_not_a_duplicate(tmp_path):
    text = "---\ntitle: a\nsources:\n  - title: x\n  - title: y\n---\nBody\n"
    document, problems = load(tmp_path, "case_studies/x.md", text)
    assert problems == []
    assert document.lines == {
        "title": 2,
        "sources": 3,
        "sources.0": 4,
        "sources.0.title": 4,
        "sources.1": 5,
        "sources.1.title": 5,
    }


def test_a_key_without_a_line_of_its_own_is_placed_on_its_parent(tmp_path):
    document, _ = load(tmp_path, "case_studies/delta.md", VALID_CASE)
    # a problem about an item the YAML never wrote still points at the list it belongs to
    assert document.line_of("themes.7") == 5
    assert document.line_of("sources.0.year") == 15
    assert document.line_of("sources.0.year.nested") == 15


def test_a_file_that_is_not_utf8_names_the_byte_and_its_line(tmp_path):
    document, problems = load(tmp_path, "case_studies/a.md", b"---\ntitle: x\n---\nok\ncaf\xe9\n")
    assert document is None
    assert [(p.line, p.message) for p in problems] == [
        (5, "file is not UTF-8 (byte 0xe9 at byte 23); save it as UTF-8 in your editor")
    ]


def test_the_size_limit_is_inclusive_and_the_message_gives_both_sizes(tmp_path):
    document, problems = load(tmp_path, "case_studies/b.md", b"x" * (MAX_FILE_BYTES + 1))
    assert document is None
    assert [(p.line, p.message) for p in problems] == [
        (
            1,
            "file is 1,000,001 bytes, over the 1,000,000-byte limit; split it or remove "
            "embedded data (images belong in separate files)",
        )
    ]
    document, problems = load(tmp_path, "guides/c.md", b"x" * MAX_FILE_BYTES)
    assert problems == [] and len(document.body) == MAX_FILE_BYTES


def test_an_unclosed_front_matter_is_the_one_problem_and_nothing_is_read(tmp_path):
    document, problems = load(tmp_path, "case_studies/d.md", "---\ntitle: x\nsummary: y\n")
    assert [(p.line, p.message) for p in problems] == [
        (
            1,
            "the front matter starts with '---' on line 1 but is never closed: add a line "
            "'---' after the last field",
        )
    ]
    assert (document.unreadable, document.has_front_matter, document.meta) == (True, False, {})


def test_front_matter_that_is_one_value_is_refused_on_its_line(tmp_path):
    document, problems = load(tmp_path, "case_studies/g.md", '---\n"just text"\n---\nBody\n')
    assert [(p.line, p.message) for p in problems] == [
        (2, "front matter must be fields written as 'name: value', not a str")
    ]
    assert (document.unreadable, document.has_front_matter, document.meta) == (True, True, {})


def test_an_ordinary_page_may_have_empty_front_matter_and_its_body_line_is_counted(tmp_path):
    document, problems = load(tmp_path, "guides/e.md", "---\n---\nBody\n")
    assert problems == []
    assert (document.has_front_matter, document.unreadable, document.body_line) == (True, False, 2)
    document, problems = load(tmp_path, "guides/f.md", "---\ntitle: x\n---\n\n\nBody\n")
    # the body is what follows the blank line after the closing "---", from line 5
    assert problems == [] and document.body_line == 5 and document.body == "\nBody\n"
    assert document.meta == {"title": "x"}


def test_a_yaml_error_in_a_page_makes_it_unreadable_with_the_column(tmp_path):
    document, problems = load(tmp_path, "guides/i.md", "---\ntitle: [x\n---\nBody\n")
    assert [(p.line, p.column) for p in problems] == [(3, 1)]
    assert document.unreadable and document.meta == {}


def test_yaml_lines_count_from_where_the_yaml_starts_in_its_file():
    from casebook.content.yaml_source import parse_yaml

    parsed = parse_yaml("a:\n  - b: 1\n    c: [2, 3]\n", first_line=10)
    assert parsed.error is None and parsed.data == {"a": [{"b": 1, "c": [2, 3]}]}
    assert parsed.lines == {
        "a": 10,
        "a.0": 11,
        "a.0.b": 11,
        "a.0.c": 12,
        "a.0.c.0": 12,
        "a.0.c.1": 12,
    }
    assert (parse_yaml("a: 1\na: 2\n", first_line=10).error_line) == 11
    assert (parse_yaml("a: [\n", first_line=10).error_line, parse_yaml("a: [\n").error_column) == (
        11,
        1,
    )
    # an alias is refused on the line of the anchor it repeats
    assert parse_yaml("x: 1\na: &z 1\nb: *z\n", first_line=10).error_line == 11
    assert parse_yaml("a:\n  b: &y 1\n  c: *y\n").error_line == 2
    assert parse_yaml("x: 0\nk: &k key\n*k : v\n").error_line == 2
    empty = parse_yaml("")
    assert (empty.data, empty.lines, empty.error) == (None, {}, None)


def test_problems_name_the_file_and_windows_line_endings_leave_the_body(tmp_path):
    for relative, raw in [
        ("case_studies/big.md", b"x" * (MAX_FILE_BYTES + 1)),
        ("case_studies/latin.md", b"\ncaf\xe9\n"),
        ("case_studies/open.md", b"---\ntitle: x\n"),
        ("case_studies/empty.md", b"---\n---\nBody\n"),
    ]:
        document, problems = load(tmp_path, relative, raw)
        assert [p.path for p in problems] == [display_path(tmp_path / relative)], relative
    assert problems[0].line == 1
    assert problems[0].message == "front matter is empty: add the required fields"
    _, problems = load(tmp_path, "case_studies/latin.md", b"\ncaf\xe9\n")
    assert problems[0].line == 2  # the file's first byte is a newline
    document, _ = load(tmp_path, "guides/crlf.md", b"---\r\ntitle: x\r\n---\r\nBody\r\n")
    assert document.body == "\nBody\n" and document.path == tmp_path / "guides/crlf.md"


def test_an_index_page_deeper_in_the_case_study_folder_is_a_page():
    assert document_kind("case_studies/sub/index.md") == "page"
    assert document_kind("policy/sub/README.md") == "page"


ALIAS_REFUSED = (
    "YAML anchors and aliases (&name, *name) are not allowed here; write each value out in full"
)


def test_an_alias_is_refused_with_the_fix_in_the_message(tmp_path):
    assert only_problem(tmp_path, "title: &t x\nsummary: *t\n") == (2, 0, ALIAS_REFUSED)


def test_an_anchored_key_used_again_as_a_key_is_an_alias_not_a_duplicate():
    from casebook.content.yaml_source import parse_yaml

    # the repeated key is the anchored key itself: refused as an alias, on the anchor's line
    parsed = parse_yaml("x: 0\n&k a: 1\n*k : 2\n", first_line=10)
    assert (parsed.error, parsed.error_line) == (ALIAS_REFUSED, 11)


def test_keys_after_a_complex_key_are_still_checked():
    from casebook.content.yaml_source import parse_yaml

    # A list as a key cannot be built (its own error), but an alias or a key written twice
    # after it is what the contributor is told first, on its line.
    parsed = parse_yaml("? [a]\n: b\nc: &x 1\nd: *x\n", first_line=2)
    assert (parsed.error, parsed.error_line) == (ALIAS_REFUSED, 4)
    parsed = parse_yaml("? [a]\n: b\ntitle: x\ntitle: y\n", first_line=2)
    assert (parsed.error, parsed.error_line) == (
        "'title' is written twice (first on line 4); keep one",
        5,
    )


def test_a_control_character_is_named_on_its_line_without_a_yaml_traceback(tmp_path):
    # PyYAML's reader refuses it before parsing, with no mark: the old message ran over
    # two lines, gave the offset in the text and named the front matter's first line
    assert only_problem(tmp_path, "title: x\nsummary: a\x07b\n") == (
        3,
        11,
        "the character U+0007 is not allowed in YAML; delete it (retype the text if you pasted it)",
    )
    from casebook.content.yaml_source import parse_yaml

    parsed = parse_yaml("a: caf\u00e9\nb: x\x1b\n", first_line=5)  # after a 2-byte é
    assert (parsed.error_line, parsed.error_column) == (6, 5)


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_the_first_refused_character_is_placed_wherever_it_is(monkeypatch, loader):
    import yaml
    from casebook.content import yaml_source

    if loader == "pure Python":  # PyYAML without libyaml counts the position in characters
        monkeypatch.setattr(yaml_source, "SafeLoader", yaml.SafeLoader)
    placed = {
        "\x07a: 1\n": (1, 1),  # the very first character
        "\n\x07: 1\n": (2, 1),  # after a leading blank line
        "a: x\x07\nb: \x07\n": (1, 5),  # the first of two
    }
    for text, place in placed.items():
        parsed = yaml_source.parse_yaml(text)
        assert parsed.error.startswith("the character U+0007 is not allowed in YAML;")
        assert (parsed.error_line, parsed.error_column) == place, repr(text)
