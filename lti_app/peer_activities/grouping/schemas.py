"""Form input for the intake survey, the survey editor, the agreement and matching options.

Free text is cleaned before validation: control characters dropped, whitespace
collapsed (line breaks kept where a field is multi-line), ends trimmed. Length
limits are checked after cleaning. Templates autoescape everything on output.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from lti_app.domain.matching import LEVELS

MAX_CHALLENGES = 30
MAX_PICKS = 3
MAX_QUESTIONS = 10
MAX_CHOICES = 12

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def clean_text(value: Any, *, multiline: bool = False) -> str:
    """Printable text only, whitespace collapsed and trimmed (line breaks kept if asked)."""
    if not isinstance(value, str):
        return ""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch)[0] != "C")
    if not multiline:
        return _SPACES.sub(" ", kept.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in kept.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _cleaned(data: Any, multiline: Sequence[str] = ()) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            out[key] = [clean_text(v) for v in value if clean_text(v)]
        else:
            out[key] = clean_text(value, multiline=key in multiline)
    return out


class _Clean(Schema):
    MULTILINE: tuple[str, ...] = ()

    @pre_load
    def _clean(self, data: Any, **_: Any) -> dict[str, Any]:
        return _cleaned(data, self.MULTILINE)


def _required(field: str) -> dict[str, str | list[Any] | dict[Any, Any]]:
    return {"required": f"Please fill in {field}."}


def question_key(label: str) -> str:
    """A stable key for an extra question: answers survive reordering the questions."""
    return "q" + hashlib.sha1(label.casefold().encode(), usedforsecurity=False).hexdigest()[:10]


def intake_schema(challenges: Sequence[str], questions: Sequence[Mapping[str, Any]]) -> Schema:
    """The learner's intake form for one course's survey.

    Form names: the fixed fields by name, ``challenges`` (repeated),
    ``answer.<key>`` for extra questions. Output keys: the same, with extra answers
    collected under ``answers``.
    """
    extra: dict[str, fields.Field[Any]] = {}
    for q in questions:
        validators: list[Any] = [validate.Length(max=300)]
        if q.get("kind") == "choice":
            validators.append(
                validate.OneOf([*q.get("choices", []), ""], error="Choose one of the options.")
            )
        extra["answer__" + q["key"]] = fields.String(
            load_default="", validate=validators, data_key="answer." + q["key"]
        )

    allowed = list(challenges)

    class IntakeInput(_Clean):
        role_title = fields.String(
            required=True,
            validate=validate.Length(
                min=1, max=120, error="Give your role or job title (up to 120 characters)."
            ),
            error_messages=_required("your role or job title"),
        )
        level = fields.Integer(
            required=True,
            validate=validate.Range(min=1, max=len(LEVELS), error="Choose a level from the list."),
            error_messages={**_required("your level"), "invalid": "Choose a level from the list."},
        )
        years = fields.Float(
            required=True,
            allow_nan=False,
            validate=validate.Range(
                min=0, max=60, error="Give a number of years between 0 and 60."
            ),
            error_messages={
                **_required("your years of experience"),
                "invalid": "Give a number of years, e.g. 4 or 2.5.",
            },
        )
        function = fields.String(
            required=True,
            validate=validate.Length(
                min=1, max=80, error="Give your function (up to 80 characters)."
            ),
            error_messages=_required("your function"),
        )
        organisation = fields.String(
            required=True,
            validate=validate.Length(
                min=1, max=120, error="Give your organisation (up to 120 characters)."
            ),
            error_messages=_required("your organisation"),
        )
        #: A roster person's public id ("" for none / not listed).
        reports_to = fields.String(load_default="", validate=validate.Length(max=40))
        reports_to_text = fields.String(
            load_default="",
            validate=validate.Length(max=255, error="Keep it under 255 characters."),
        )
        challenges = fields.List(
            fields.String(),
            load_default=list,
            validate=[
                validate.Length(max=MAX_PICKS, error=f"Pick at most {MAX_PICKS} challenges."),
                validate.ContainsOnly(allowed, error="Pick challenges from the list."),
            ],
        )
        challenge_other = fields.String(
            load_default="",
            validate=validate.Length(
                max=120, error="Keep your own challenge under 120 characters."
            ),
        )

        @validates_schema
        def _some_challenge(self, data: dict[str, Any], **_: Any) -> None:
            if not data.get("challenges") and not data.get("challenge_other"):
                raise ValidationError(
                    "Pick at least one challenge, or write your own.", "challenges"
                )

        @post_load
        def _collect(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
            data["answers"] = {
                key[len("answer__") :]: data.pop(key)
                for key in list(data)
                if key.startswith("answer__")
            }
            data["challenges"] = list(dict.fromkeys(data["challenges"]))
            return data

    schema_cls = (
        IntakeInput.from_dict(extra, name="IntakeInputWithQuestions") if extra else IntakeInput
    )
    return schema_cls()


def intake_form_data(form: Any) -> dict[str, Any]:
    """The intake form's fields as a dict (``challenges`` may repeat)."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("t", "challenges")}
    data["challenges"] = form.getlist("challenges")
    return data


class SurveyInput(_Clean):
    """The instructor's survey editor: one challenge per line; one extra question per
    line, ``Question`` for a text answer or ``Question | choice | choice`` for a choice."""

    MULTILINE = ("challenges", "questions")

    challenges = fields.String(
        required=True,
        validate=validate.Length(max=5000),
        error_messages=_required("the challenge list"),
    )
    questions = fields.String(load_default="", validate=validate.Length(max=5000))

    @post_load
    def _parse(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        challenges = list(
            dict.fromkeys(
                line.strip(" -•*") for line in data["challenges"].split("\n") if line.strip(" -•*")
            )
        )
        lowered = [c.casefold() for c in challenges]
        if len(set(lowered)) != len(lowered):
            errors.setdefault("challenges", []).append("Each challenge may appear only once.")
        if not 3 <= len(challenges) <= MAX_CHALLENGES:
            errors.setdefault("challenges", []).append(
                f"List between 3 and {MAX_CHALLENGES} challenges, one per line."
            )
        if any(len(c) > 80 for c in challenges):
            errors.setdefault("challenges", []).append("Keep each challenge under 80 characters.")
        questions: list[dict[str, Any]] = []
        for number, line in enumerate(
            (x for x in data["questions"].split("\n") if x.strip()), start=1
        ):
            label, *choices = [part.strip() for part in line.split("|")]
            choices = list(dict.fromkeys(c for c in choices if c))
            if not label or len(label) > 200:
                errors.setdefault("questions", []).append(
                    f"Question {number}: write the question (up to 200 characters)."
                )
                continue
            if len(choices) == 1 or len(choices) > MAX_CHOICES or any(len(c) > 80 for c in choices):
                errors.setdefault("questions", []).append(
                    f"Question {number}: give 2 to {MAX_CHOICES} choices of up to 80 "
                    "characters, separated by |."
                )
                continue
            questions.append(
                {
                    "key": question_key(label),
                    "label": label,
                    "kind": "choice" if choices else "text",
                    "choices": choices,
                }
            )
        if len(questions) > MAX_QUESTIONS:
            errors.setdefault("questions", []).append(f"Ask at most {MAX_QUESTIONS} questions.")
        if len({q["key"] for q in questions}) != len(questions):
            errors.setdefault("questions", []).append("Each question may appear only once.")
        if errors:
            raise ValidationError(errors)
        return {"challenges": challenges, "questions": questions}


def questions_as_text(questions: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(" | ".join([q["label"], *q.get("choices", [])]) for q in questions)


class AgreementInput(_Clean):
    MULTILINE = ("text",)

    text = fields.String(
        required=True,
        validate=validate.Length(
            min=20, max=10000, error="Write the agreement in 20 to 10,000 characters."
        ),
        error_messages=_required("the agreement"),
    )


class OptionsInput(_Clean):
    """The instructor's matching choices; sizes come from the activity's settings."""

    avoid_same_manager = fields.Boolean(load_default=False)
    organisations = fields.String(
        load_default="ignore",
        validate=validate.OneOf(
            ["ignore", "similar", "mixed"], error="Choose how to treat organisations."
        ),
    )
    #: The instructor's exceptions (ids of managers / skip-level managers), kept
    #: from an applied fix and shown as ticked boxes when groups are formed again.
    allow_same_manager = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=list,
        validate=validate.Length(max=200),
    )
    allow_skip_level = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=list,
        validate=validate.Length(max=200),
    )


def options_form_data(form: Any) -> dict[str, Any]:
    """The matching choices of a posted form (a MultiDict: the exceptions repeat)."""
    data: dict[str, Any] = {
        k: form.get(k) for k in ("avoid_same_manager", "organisations") if form.get(k) is not None
    }
    for key in ("allow_same_manager", "allow_skip_level"):
        data[key] = form.getlist(key)
    return data
