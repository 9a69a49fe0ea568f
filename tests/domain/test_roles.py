"""Role mapping: context roles decide, unknown roles give least privilege."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lti_app.domain.roles import (
    ADMIN,
    GUEST,
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    TEACHING_ASSISTANT,
    TEST_USER,
    map_roles,
)

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def test_full_and_short_context_roles_map_the_same() -> None:
    assert map_roles([M + "Instructor"]).roles == map_roles(["Instructor"]).roles == {INSTRUCTOR}
    assert map_roles([M + "Learner"]).primary == LEARNER


def test_teaching_assistant_sub_role() -> None:
    roles = map_roles(
        ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]
    )
    assert roles.roles == {TEACHING_ASSISTANT} and roles.is_staff


def test_mentor_is_not_staff() -> None:
    roles = map_roles([M + "Mentor"])
    assert roles.primary == MENTOR and not roles.is_staff


def test_system_administrator_is_admin_and_staff() -> None:
    roles = map_roles(["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"])
    assert roles.primary == ADMIN and roles.is_staff


def test_institution_faculty_does_not_grant_course_rights() -> None:
    roles = map_roles(
        [
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
        ]
    )
    assert roles.primary == GUEST and not roles.is_staff


def test_empty_and_unknown_roles_leave_a_guest() -> None:
    assert map_roles([""]).primary == GUEST
    assert map_roles(["urn:x:whatever", 42, None]).primary == GUEST


def test_test_user_is_flagged() -> None:
    roles = map_roles([M + "Learner", TEST_USER])
    assert roles.is_test_user and roles.primary == LEARNER


def test_instructor_outranks_learner_for_the_first_page() -> None:
    assert map_roles([M + "Learner", M + "Instructor"]).primary == INSTRUCTOR


@given(st.lists(st.one_of(st.text(max_size=80), st.integers(), st.none()), max_size=8))
def test_any_claim_maps_without_error_and_never_grants_staff_from_noise(claim: list) -> None:
    roles = map_roles(claim)
    known = {"Instructor", "Administrator", "ContentDeveloper", "Manager"}
    if roles.is_staff:
        assert any(isinstance(c, str) and any(k in c for k in known) for c in claim)
