"""Turn pydantic's validation errors into one readable line per problem.

Each line names the dotted key as the user wrote it (``sources[2].interval``),
the value from the file (before ``${VAR}`` substitution, so no secret leaks)
and what would fix it; unknown keys get a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

_MISSING = object()
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # TOML bare keys; any other key is shown quoted
_TYPE_WORDS = {
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "dict_type": "a table",
}


def key_path(loc: Sequence[str | int]) -> str:
    """``("sources", 2, "interval")`` → ``"sources[2].interval"``; a key that is not bare is quoted as in TOML."""
    out = ""
    for part in loc:
        name = part if isinstance(part, int) or _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        out += f"[{name}]" if isinstance(part, int) else (f".{name}" if out else name)
    return out


def describe_errors(exc: ValidationError, raw: dict[str, Any], model: type[BaseModel]) -> list[str]:
    """One line per error, in file order, without duplicates."""
    lines: list[str] = []
    for error in exc.errors():
        loc = _user_loc(error["loc"], raw)
        line = f"{key_path(loc) or '(top level)'}: {_message(error, loc, raw, model)}"
        if line not in lines:
            lines.append(line)
    return lines


def _user_loc(loc: Sequence[str | int], raw: Any) -> tuple[str | int, ...]:
    """``loc`` without the validator steps pydantic adds (``function-after[...]``), keeping keys the user wrote."""
    out: list[str | int] = []
    for part in loc:
        written = isinstance(raw, (dict, list)) and _raw_value(raw, (part,)) is not _MISSING
        if isinstance(part, str) and part.startswith("function-") and not written:
            continue
        out.append(part)
        raw = _raw_value(raw, (part,))
    return tuple(out)


def _message(error: dict[str, Any], loc: tuple[str | int, ...], raw: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    value = _raw_value(raw, loc)
    if kind == "extra_forbidden" and loc:
        return "unknown key" + _suggestion(str(loc[-1]), _fields_at(model, loc[:-1]))
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"{_show(value)} is not one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} is not a valid name (use lower-case letters, digits, - and _)"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{_show(value)} is out of range ({error['msg'].lower()})"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {_show(value)}"
    if kind == "value_error":
        return _as_written(str(error["ctx"]["error"]), error.get("input"), value)
    return f"{_show(value)}: {error['msg']}"


def _as_written(message: str, given: Any, written: Any) -> str:
    """A validator's message about the substituted value, showing the value as written (``${VAR}``, no secret)."""
    if isinstance(given, str) and isinstance(written, str) and given and given != written:
        return message.replace(given, written)
    return message


def _show(value: Any) -> str:
    if value is _MISSING:
        return "the value"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "a list"
    return str(value)


def _raw_value(raw: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return raw


def _suggestion(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    return f" (allowed: {', '.join(choices)})" if choices else ""


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
    fields = getattr(current, "model_fields", {})
    return [name for name, info in fields.items() if not info.exclude]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
