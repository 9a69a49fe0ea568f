"""Mapping LTI role URIs to Peerlift roles.

Rules:
* Authorisation uses *context* (membership) roles. Institution roles are ignored
  for course permissions: a learner who is faculty elsewhere is still a learner
  here (pylti1p3 counts institution Instructor as a teacher; we do not).
* System/institution Administrator grants ``admin`` (Moodle sends it to site admins).
* Short names (``"Instructor"``) are accepted as the membership vocabulary, as
  LTI Core §A.2.3.1 allows; unknown and empty roles are ignored, which leaves
  the person with the least privilege (``guest``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
MEMBERSHIP_SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"

INSTRUCTOR = "instructor"
TEACHING_ASSISTANT = "teaching_assistant"
CONTENT_DEVELOPER = "content_developer"
LEARNER = "learner"
MENTOR = "mentor"
ADMIN = "admin"
GUEST = "guest"

#: Roles that may configure activities and see everyone's work.
STAFF = frozenset({INSTRUCTOR, TEACHING_ASSISTANT, CONTENT_DEVELOPER, ADMIN})

_CONTEXT = {
    "Instructor": INSTRUCTOR,
    "Learner": LEARNER,
    "Mentor": MENTOR,
    "ContentDeveloper": CONTENT_DEVELOPER,
    "Administrator": ADMIN,
    "Manager": INSTRUCTOR,
}
_SUB = {
    "Instructor#TeachingAssistant": TEACHING_ASSISTANT,
    "Instructor#Grader": TEACHING_ASSISTANT,
    "Instructor#Lecturer": INSTRUCTOR,
    "Instructor#PrimaryInstructor": INSTRUCTOR,
    "Instructor#SecondaryInstructor": INSTRUCTOR,
    "Instructor#ExternalInstructor": INSTRUCTOR,
    "Learner#Learner": LEARNER,
    "Learner#NonCreditLearner": LEARNER,
    "Learner#GuestLearner": LEARNER,
    "Learner#ExternalLearner": LEARNER,
    "Mentor#Mentor": MENTOR,
    "Mentor#Advisor": MENTOR,
    "Mentor#Auditor": MENTOR,
    "ContentDeveloper#ContentDeveloper": CONTENT_DEVELOPER,
    "Administrator#Administrator": ADMIN,
}
_ORDER = (ADMIN, INSTRUCTOR, TEACHING_ASSISTANT, CONTENT_DEVELOPER, MENTOR, LEARNER)


@dataclass(frozen=True)
class RoleSet:
    roles: frozenset[str]
    is_test_user: bool = False

    @property
    def primary(self) -> str:
        """The role that decides which page a person sees first."""
        for role in _ORDER:
            if role in self.roles:
                return role
        return GUEST

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF)

    @property
    def is_learner(self) -> bool:
        return LEARNER in self.roles

    def as_list(self) -> list[str]:
        return sorted(self.roles)


def _one(uri: str) -> str | None:
    uri = uri.strip()
    if not uri:
        return None
    if uri.startswith(MEMBERSHIP):
        return _CONTEXT.get(uri[len(MEMBERSHIP) :])
    if uri.startswith(MEMBERSHIP_SUB):
        return _SUB.get(uri[len(MEMBERSHIP_SUB) :])
    if uri in (SYSTEM + "Administrator", INSTITUTION + "Administrator", SYSTEM + "SysAdmin"):
        return ADMIN
    if "/" not in uri and ":" not in uri:
        # Short (simple) names stand for the context vocabulary.
        if "#" in uri:
            return _SUB.get(uri)
        return _CONTEXT.get(uri)
    return None


def map_roles(claim: Iterable[object]) -> RoleSet:
    """Map an LTI ``roles`` claim (any iterable; non-strings ignored) to a RoleSet."""
    roles: set[str] = set()
    test_user = False
    for item in claim:
        if not isinstance(item, str):
            continue
        if item.strip() == TEST_USER:
            test_user = True
            continue
        mapped = _one(item)
        if mapped:
            roles.add(mapped)
    return RoleSet(frozenset(roles), test_user)
