"""JSON Schema for front matter, generated from the same field specs and taxonomy.yml that
validation uses, so an editor and `casebook check` agree."""

from __future__ import annotations

import json
from typing import Any

from .fields import (
    CASE_STUDY_FIELDS,
    HIDE_VALUES,
    POLICY_FIELDS,
    SOURCE_KEYS,
    SOURCES_ITEM_KEYS,
    THEME_KEYS,
    FieldSpec,
)
from .taxonomy import Taxonomy

# Draft-07: what editors and Ajv (behind VS Code's remark extension) support by default.
DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILES = {"case_study": "case-study.schema.json", "policy": "policy-page.schema.json"}


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    if spec.type == "text":
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if spec.max_length:
            schema["maxLength"] = spec.max_length
    elif spec.type == "year":
        # "not in the future" is checked by `casebook check`; a fixed maximum would go stale.
        schema = {"type": "integer", "minimum": 1900}
    elif spec.type == "date":
        schema = {"type": "string", "format": "date"}
    elif spec.type == "choice":
        schema = {"enum": list(spec.choices)}
    elif spec.type == "slug_list":
        schema = {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        }
    elif spec.type == "source":
        schema = _source_schema(SOURCE_KEYS)
    elif spec.type == "source_list":
        schema = {"type": "array", "minItems": 1, "items": _source_schema(SOURCES_ITEM_KEYS)}
    elif spec.type == "url":
        schema = {"type": "string", "pattern": "^https?://"}
    else:  # pragma: no cover - every FieldSpec type is handled above
        raise ValueError(spec.type)
    schema["description"] = spec.help
    return schema


def _source_schema(keys: dict[str, bool]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1},
            "publisher": {"type": "string", "minLength": 1},
            "year": {"type": "integer", "minimum": 1900},
            "url": {"type": "string", "pattern": "^https?://"},
            "publisher_url": {"type": "string", "pattern": "^https?://"},
            "section": {"type": "string", "minLength": 1},
        },
        "required": [key for key, required in keys.items() if required],
        "additionalProperties": False,
    }


def _taxonomy_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    if taxonomy.open:
        item: dict[str, Any] = {"type": "string", "minLength": 1}
    else:
        item = {"enum": list(taxonomy.terms)}
    description = f"{taxonomy.label}: {taxonomy.description}".strip().rstrip(":")
    if not taxonomy.multiple:
        return {**item, "description": description}
    schema: dict[str, Any] = {
        "type": "array",
        "items": item,
        "uniqueItems": True,
        "description": description,
    }
    if taxonomy.minimum:
        schema["minItems"] = taxonomy.minimum
    return schema


def front_matter_schema(kind: str, taxonomies: dict[str, Taxonomy]) -> dict[str, Any]:
    specs = CASE_STUDY_FIELDS if kind == "case_study" else POLICY_FIELDS
    properties = {spec.name: _field_schema(spec) for spec in specs}
    required = [spec.name for spec in specs if spec.required]
    if kind == "case_study":
        for taxonomy in taxonomies.values():
            properties[taxonomy.field] = _taxonomy_schema(taxonomy)
            if taxonomy.required:
                required.append(taxonomy.field)
    theme_properties = {
        "hide": {
            "type": "array",
            "items": {"enum": list(HIDE_VALUES)},
            "description": "parts of the page Material for MkDocs should hide",
        },
        "description": {"type": "string", "description": "the page's meta description"},
    }
    for key in THEME_KEYS:
        properties[key] = theme_properties[key]
    title = "Casebook case study" if kind == "case_study" else "Casebook policy page"
    return {
        "$schema": DRAFT,
        "$id": f"https://casebook.invalid/schemas/{SCHEMA_FILES[kind]}",
        "title": f"{title} front matter",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def schema_json(kind: str, taxonomies: dict[str, Taxonomy]) -> str:
    return json.dumps(front_matter_schema(kind, taxonomies), indent=2, ensure_ascii=False) + "\n"
