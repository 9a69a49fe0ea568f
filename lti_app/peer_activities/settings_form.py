"""Activity settings as people read and type them, derived from each type's settings schema.

There is one source of truth per activity type: the marshmallow schema registered in
``registry`` (the one deep linking loads). Each schema field's ``metadata`` says how
the setting reads and how it is typed:

``label``        its name in forms and in summaries ("Reviews per submission")
``description``  one sentence under the field in forms
``choices``      ``((value, text), ...)`` for a select; booleans list True and False
``unit``         the word after a number ("minutes")
``input``        the input type when the field type does not say it ("textarea", "date",
                 "datetime-local")
``words``        ``callable(value, settings) -> str`` for values no rule fits (check-in days)
``empty``        how an empty value reads ("No due date")
``default``      the default shown when the schema has no ``load_default``
``form_default`` what the input holds when the value is empty (the default prompts)
``edited_elsewhere``  the sentence saying where it is changed instead (not on the form)
``show``         False: not part of the summary (an internal reference)
``changed``      what saving a change of it did ("Unanswered check-ins moved to the new days.")

A field without metadata falls back to the type's ``fields`` tuple (label, input,
choices) and then to a readable form of its name, so a setting added anywhere shows
up on every form and summary without another template change. Nothing raw (``True``,
``None``, ``double_blind``) is ever returned for a person to read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, missing, validate

from lti_app.peer_activities.registry import ActivityType

#: A setting the form left at its "not set" choice: removed, so its default applies.
ABSENT = object()


class ActivityInputError(ValueError):
    """Activity input refused, with one message list per field (``_schema``: the form
    as a whole)."""

    def __init__(self, messages: dict[str, Any]):
        super().__init__("invalid activity settings")
        self.messages = messages


@dataclass(frozen=True)
class FieldSpec:
    """One setting as a form and a summary present it."""

    name: str
    label: str
    #: "number", "select", "text", "textarea", "date" or "datetime-local".
    input: str
    #: (form value, text) pairs of a select.
    choices: tuple[tuple[str, str], ...]
    description: str
    default: Any
    minimum: int | None
    maximum: int | None
    #: A blank may stand for "not set" (dates, optional references).
    optional: bool
    #: Where it is changed when not on the settings form ("" = on the form).
    edited_elsewhere: str
    shown: bool
    unit: str
    empty: str
    changed_note: str
    form_default: str
    words_of: Callable[[Any, Mapping[str, Any]], str] | None


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _form_value(value: Any) -> str:
    """A stored value as an input carries it."""
    if value is None or value is missing:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _range_of(field: fields.Field[Any]) -> tuple[int | None, int | None]:
    for v in field.validators:
        if isinstance(v, validate.Range):
            return (
                int(v.min) if v.min is not None else None,
                int(v.max) if v.max is not None else None,
            )
        if isinstance(v, validate.OneOf) and all(isinstance(c, int) for c in v.choices):
            numbers = [int(c) for c in v.choices]
            return min(numbers), max(numbers)
    return None, None


def _spec(
    name: str,
    field: fields.Field[Any],
    fallback: tuple[str, str, tuple[tuple[str, str], ...]] | None,
) -> FieldSpec:
    meta = field.metadata
    label = meta.get("label") or (fallback[0] if fallback else _humanise(name))
    choices: tuple[tuple[str, str], ...] = tuple(
        (_form_value(v), str(t)) for v, t in meta.get("choices", ())
    )
    if not choices and fallback and fallback[2]:
        choices = fallback[2]
    if isinstance(field, fields.Boolean) and not choices:
        choices = (("1", "Yes"), ("0", "No"))
    if choices:
        kind = "select"
    elif meta.get("input"):
        kind = str(meta["input"])
    elif fallback and fallback[1]:
        kind = fallback[1]
    elif isinstance(field, fields.Integer):
        kind = "number"
    else:
        kind = "text"
    default = field.load_default
    if default is missing:
        default = meta.get("default")
    elif callable(default):
        default = default()
    low, high = _range_of(field)
    return FieldSpec(
        name=name,
        label=str(label),
        input=kind,
        choices=choices,
        description=str(meta.get("description", "")),
        default=default,
        minimum=low,
        maximum=high,
        optional=bool(field.allow_none) or kind in ("date", "datetime-local"),
        edited_elsewhere=str(meta.get("edited_elsewhere", "")),
        shown=meta.get("show", True),
        unit=str(meta.get("unit", "")),
        empty=str(meta.get("empty", "Not set")),
        changed_note=str(meta.get("changed", "")),
        form_default=str(meta.get("form_default", "")),
        words_of=meta.get("words"),
    )


@functools.cache
def specs(kind: ActivityType) -> tuple[FieldSpec, ...]:
    """Every setting of an activity type, in the schema's order."""
    fallback = {
        name: (label, input_type, choices) for name, label, input_type, choices in kind.fields
    }
    schema = kind.settings_schema()
    return tuple(
        _spec(name, field, fallback.get(name))
        for name, field in schema.fields.items()
        if not field.dump_only
    )


def form_specs(kind: ActivityType) -> tuple[FieldSpec, ...]:
    """The settings typed on the deep-linking and settings forms."""
    return tuple(s for s in specs(kind) if not s.edited_elsewhere)


def effective(kind: ActivityType, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings in force: stored values, defaults for the rest."""
    stored = dict(settings or {})
    return {s.name: stored.get(s.name, s.default) for s in specs(kind)}


# -- reading -------------------------------------------------------------------------------


def _when(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return f"{moment.day} {moment:%B %Y}"
    return f"{moment.day} {moment:%b %Y}, {moment:%H:%M} UTC"


def words(spec: FieldSpec, value: Any, settings: Mapping[str, Any]) -> str:
    """One setting's value in words (never True/False/None or an internal code)."""
    if spec.words_of is not None:
        return spec.words_of(value, settings)
    if spec.choices:
        wanted = _form_value(value)
        for form_value, text in spec.choices:
            if form_value == wanted:
                return text
        if wanted:
            return _humanise(str(value)) if isinstance(value, str) else wanted
    if value is None or value == "":
        return spec.empty
    if spec.input in ("date", "datetime-local"):
        return _when(str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and spec.unit:
        unit = spec.unit if value != 1 else spec.unit.rstrip("s")
        return f"{value} {unit}"
    return str(value)


def describe(kind: ActivityType, settings: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value in words) for every setting shown to people."""
    current = effective(kind, settings)
    return [(s.label, words(s, current[s.name], current)) for s in specs(kind) if s.shown]


def describe_fields(
    kind: ActivityType, settings: Mapping[str, Any] | None, names: list[str]
) -> list[str]:
    """ "Label: value" for the named settings (an unknown name is skipped)."""
    current = effective(kind, settings)
    by_name = {s.name: s for s in specs(kind)}
    return [
        f"{by_name[n].label}: {words(by_name[n], current[n], current)}"
        for n in names
        if n in by_name
    ]


def summary(
    kind: ActivityType, settings: Mapping[str, Any] | None, *, choosing: bool = False
) -> str:
    """The type's one-line summary; ``{field}`` in it reads that setting's value in words,
    so the text follows the settings (the check-in days of a journal). ``choosing``: the
    type picker, where the settings are still being typed below the summary, so a value
    is named as the default that the form below changes (never a stale "30, 60 and 90")."""
    if "{" not in kind.summary:
        return kind.summary
    current = effective(kind, settings)
    values = {s.name: words(s, current[s.name], current) for s in specs(kind)}
    if choosing:
        values = {name: f"{text} (by default; you set this below)" for name, text in values.items()}
    try:
        return kind.summary.format_map(values)
    except (KeyError, ValueError):
        return kind.summary


def changed(
    kind: ActivityType, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[str]:
    """The settings whose value reads differently after a change (a re-ordered list of
    the same check-in days, or the default prompts typed out, is no change)."""
    old, new = effective(kind, before), effective(kind, after)
    return [
        s.name
        for s in specs(kind)
        if words(s, old[s.name], old) != words(s, new[s.name], new)
        or (not s.shown and old[s.name] != new[s.name])
    ]


# -- typing --------------------------------------------------------------------------------


def form_values(
    kind: ActivityType,
    settings: Mapping[str, Any] | None,
    typed: Mapping[str, Any] | None = None,
    prefix: str = "",
) -> dict[str, str]:
    """What each input of the form holds: what the person typed when the form comes
    back with an error, else the value in force (its default when never set)."""
    current = effective(kind, settings)
    values: dict[str, str] = {}
    for s in form_specs(kind):
        if typed is not None and prefix + s.name in typed:
            values[s.name] = str(typed.get(prefix + s.name, ""))
        else:
            value = current[s.name]
            if s.input == "datetime-local" and isinstance(value, str):
                value = value[:16]
            values[s.name] = _form_value(value) or s.form_default
    return values


def raw_from_form(kind: ActivityType, form: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The settings typed in a form (fields named ``prefix + name``), for the schema.

    A field absent from the form keeps its default; a blank optional field is "not
    set"; a blank number stays blank so the schema refuses it next to the field
    instead of silently using a default nobody saw."""
    raw: dict[str, Any] = {}
    for s in form_specs(kind):
        key = prefix + s.name
        if key not in form:
            continue
        value = str(form.get(key, ""))
        value = value.replace("\r\n", "\n").strip() if s.input == "textarea" else value.strip()
        if value == "" and s.optional:
            field = kind.settings_schema().fields[s.name]
            raw[s.name] = None if field.allow_none else ""
        elif value == "" and any(option == "" for option, _ in s.choices):
            raw[s.name] = ABSENT  # the choice that means "not set": the default applies
        else:
            raw[s.name] = value
    # Names an older form (or LMS link) still posts, which the schema translates itself
    # (a single ``group_size`` read as a size range, say).
    for name in getattr(kind.settings_schema, "LEGACY_FIELDS", ()):
        if prefix + name in form and str(form.get(prefix + name, "")).strip():
            raw[name] = str(form.get(prefix + name)).strip()
    return raw


def _message(spec: FieldSpec | None, found: list[str]) -> list[str]:
    if spec is None or spec.input != "number":
        return found
    if spec.minimum is not None and spec.maximum is not None:
        return [f"Give a whole number from {spec.minimum} to {spec.maximum}."]
    return ["Give a whole number."]


def load(kind: ActivityType, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate settings with the type's schema; refused: ``ActivityInputError`` with
    a plain message per field."""
    try:
        loaded: dict[str, Any] = kind.settings_schema().load(
            {k: v for k, v in raw.items() if v is not ABSENT}, unknown="exclude"
        )
    except ValidationError as exc:
        found = exc.normalized_messages()  # type: ignore[no-untyped-call]
        by_name = {s.name: s for s in specs(kind)}
        messages: dict[str, list[str]] = {}
        for name, value in found.items():
            texts = [str(v) for v in (value if isinstance(value, list) else [value])]
            key = name if name in by_name else "_schema"
            messages.setdefault(key, []).extend(_message(by_name.get(name), texts))
        raise ActivityInputError(messages) from exc
    return loaded
