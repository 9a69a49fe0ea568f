"""The schema-driven settings form and formatter, for every registered activity type:
every setting has a label, reads in words for every value it can take, and the form as
shown saves back to exactly the settings it showed."""

from __future__ import annotations

import re

import pytest

from lti_app.peer_activities import ACTIVITIES, registry, settings_form
from lti_app.peer_activities.settings_form import ActivityInputError

for _kind in ACTIVITIES:  # what init_app registers, without an app
    registry.register(_kind)
TYPES = registry.all_types()
RAW = re.compile(r"^(True|False|None)$|_")


def test_the_four_activity_types_are_registered() -> None:
    assert [t.key for t in TYPES] == ["role_play", "peer_review", "case_discussion", "journal"]


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.key)
def test_every_setting_has_a_label_from_its_schema(kind) -> None:
    schema = kind.settings_schema()
    for spec in settings_form.specs(kind):
        assert schema.fields[spec.name].metadata.get("label"), spec.name
        assert spec.label and not RAW.search(spec.label)


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.key)
def test_every_choice_and_every_default_reads_in_words(kind) -> None:
    defaults = settings_form.effective(kind, {})
    for label, text in settings_form.describe(kind, {}):
        assert text and not RAW.search(text), (label, text)
    for spec in settings_form.specs(kind):
        for value, _ in spec.choices:
            settings = {**defaults, spec.name: value}
            text = settings_form.words(spec, value, settings)
            assert text and not RAW.search(text), (spec.name, value, text)


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.key)
def test_the_form_as_shown_saves_back_to_the_same_settings(kind) -> None:
    stored = settings_form.load(kind, {})
    shown = settings_form.form_values(kind, stored)
    saved = settings_form.load(kind, settings_form.raw_from_form(kind, shown))
    assert settings_form.changed(kind, stored, saved) == []
    # Number fields show their default value, never a blank.
    for spec in settings_form.form_specs(kind):
        if spec.input == "number":
            assert shown[spec.name] == str(spec.default), spec.name


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.key)
def test_a_blank_number_is_refused_not_replaced_by_its_default(kind) -> None:
    for spec in settings_form.form_specs(kind):
        if spec.input != "number":
            continue
        with pytest.raises(ActivityInputError) as refused:
            settings_form.load(kind, settings_form.raw_from_form(kind, {spec.name: ""}))
        assert refused.value.messages[spec.name][0].startswith("Give a whole number")


def test_journal_days_read_in_order_with_their_anchor() -> None:
    journal = registry.get("journal")
    assert journal is not None
    assert settings_form.describe_fields(journal, {"checkin_days": "90,30"}, ["checkin_days"]) == [
        "Check-ins: 30 and 90 days after completion"
    ]
    assert settings_form.describe_fields(
        journal,
        {"checkin_days": "1", "anchor": "course_end", "course_end": "2026-06-30"},
        ["checkin_days", "course_end"],
    ) == [
        "Check-ins: 1 day after the course end date (or a later completion)",
        "Course end date: 30 June 2026",
    ]
    assert "check-ins 14 and 45 days after completion" in settings_form.summary(
        journal, {"checkin_days": "14,45"}
    )
