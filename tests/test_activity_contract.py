"""The activity contract (lti_app.peer_activities.registry): a fifth activity,
defined here and nowhere in lti_app, plugs in with one ``registry.install`` line on
a fresh app, and then reaches people through the normal HTTP surface: deep linking
offers it, a launch opens it, its learner and staff panels render on the shared
activity page, its launch notice shows, and its completion rule shows up. No
shared code or template learns about it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, redirect, url_for
from jinja2 import DictLoader
from marshmallow import Schema, fields, validate
from sqlalchemy import bindparam, select

from lti_app import create_app
from lti_app.actor.session import require_actor
from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.lms import keys
from lti_app.lms import registry as platforms
from lti_app.lms.registry import PlatformSpec
from lti_app.peer_activities import notices, registry
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity
from lti_app.sandbox.platform import DL, SandboxUser
from tests.support.lti import INSTRUCTOR, LEARNER, MENTOR, LtiDriver, token_from

KEY = "toy_poll"

# -- the toy activity: a one-question poll ------------------------------------------------

#: Who answered which poll (activity id, person id): the toy keeps no tables.
ANSWERED: set[tuple[int, int]] = set()


class ToySettings(Schema):
    question = fields.String(
        load_default="What will you try first?",
        validate=validate.Length(max=200),
        metadata={"label": "Question"},
    )


def completed(activity: Activity, person: Person) -> bool:
    return (activity.id, person.id) in ANSWERED


def learner_panel(actor: Any, activity: Activity) -> dict[str, Any]:
    return {
        "question": activity.settings.get("question"),
        "done": completed(activity, actor.person),
    }


def staff_panel(actor: Any, activity: Activity) -> dict[str, Any]:
    return {"answers": sum(1 for a, _p in ANSWERED if a == activity.id)}


def _notice_queries() -> list[Any]:
    return [
        select(
            *notices.columns(
                f"{KEY}.open", texts=[Activity.public_id, Activity.title], numbers=[Activity.id]
            )
        ).where(Activity.course_id == bindparam("course"), Activity.activity_type == KEY)
    ]


def _notice_build(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    return [
        notices.Notice(
            "owed",
            f"Answer the poll in {row.s2}",
            priority=20,
            url=url_for("activities.show", activity_id=row.s1, t=actor.token()),
        )
        for row in rows
        if (row.n1, actor.person.id) not in ANSWERED
    ]


toy_bp = Blueprint("toy_poll", __name__, url_prefix="/toy")


@toy_bp.post("/<activity_id>/answer")
@require_actor()
def answer(activity_id: str) -> Any:
    actor, activity, _course = course_activity(activity_id)
    ANSWERED.add((activity.id, actor.person.id))
    return redirect(url_for("activities.show", activity_id=activity_id, t=actor.token()), code=303)


TEMPLATES = {
    "toy_poll/_learner.html": (
        "<section id='toy-learner'><p>Poll: {{ part.data.question }}</p>"
        "{% if toy_done_words(part.data.done) %}<p>{{ toy_done_words(part.data.done) }}</p>"
        "{% endif %}<form method='post' action=\"{{ url_for('toy_poll.answer', "
        "activity_id=activity.public_id) }}\"><input type='hidden' name='t' "
        "value='{{ actor.token() }}'></form></section>"
    ),
    "toy_poll/_staff.html": (
        "<section id='toy-staff'><p>Answers so far: {{ part.data.answers }}</p></section>"
    ),
}

TOY = registry.ActivityType(
    key=KEY,
    label="Toy poll",
    summary="One question: {question}",
    settings_schema=ToySettings,
    learner_panel=registry.Panel("toy_poll/_learner.html", learner_panel),
    staff_panel=registry.Panel("toy_poll/_staff.html", staff_panel),
    notices=(
        notices.Source(
            f"{KEY}.open",
            applies=lambda actor: actor.roles.is_learner,
            queries=_notice_queries,
            build=_notice_build,
        ),
    ),
    completion=completed,
    blueprints=(toy_bp,),
    template_globals={"toy_done_words": lambda done: "Completed" if done else "Not answered"},
)


# -- a fresh app with the toy installed ----------------------------------------------------


@pytest.fixture
def toy_app(tmp_path: Path, platform_server: Any, monkeypatch: Any) -> Iterator[Flask]:
    # What installing registers lives in module-level tables: keep this test's out of
    # every other test's way.
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    monkeypatch.setattr(notices, "_SOURCES", dict(notices._SOURCES))
    ANSWERED.clear()
    # The toy's templates, as its package's templates/ folder would provide them.
    monkeypatch.setattr(toy_bp, "jinja_loader", DictLoader(TEMPLATES), raising=False)
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'toy.db'}"}
    )
    registry.install(app, TOY)  # the one registration line
    server, platform, _ = platform_server
    with app.app_context():
        db.create_all()
        platforms.add_platform(
            PlatformSpec(
                issuer=platform.issuer,
                client_id=platform.client_id,
                auth_login_url=platform.auth_login_url,
                auth_token_url=platform.token_url,
                jwks_url=server.url + "/jwks",
                name="Test LMS",
            ),
            [platform.deployment_id],
        )
        keys.ensure_key()
        db.session.commit()
    app.extensions["peerlift.platform_keys"].clear()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    keys.clear_cache()
    notices._union.cache_clear()


def _deep_link_toy(lti: LtiDriver, platform: Any) -> dict[str, Any]:
    resp = lti.launch(INSTRUCTOR, message_type="LtiDeepLinkingRequest")
    picker = lti.client.get(resp.headers["Location"])
    assert "Toy poll" in picker.get_data(as_text=True)  # offered beside the four
    back = lti.client.post(
        "/lti/deep-link",
        data={
            "t": token_from(resp.headers["Location"]),
            "activity_type": KEY,
            "title": "Friday poll",
            f"{KEY}.question": "Which habit will you keep?",
        },
    )
    assert back.status_code == 200, back.get_data(as_text=True)
    jwt_text = re.search(r'name="JWT" value="([^"]+)"', back.get_data(as_text=True)).group(1)
    jwks = lti.client.get("/lti/jwks").get_json()
    claims = platform.verify_tool_jwt(jwt_text, jwks, audience=platform.issuer)
    [item] = claims[DL + "content_items"]
    return item


def test_a_toy_fifth_activity_plugs_in_with_one_registration(toy_app, platform_server) -> None:
    platform = platform_server[1]
    lti = LtiDriver(toy_app.test_client(), platform)
    item = _deep_link_toy(lti, platform)
    link = {"resource_link": {"id": "toy-link"}, "custom": item["custom"]}

    # The learner's launch: the shared page shows the toy's notice and learner panel.
    page = lti.enter(LEARNER, **link).get_data(as_text=True)
    assert "Toy poll" in page and "Friday poll" in page
    assert "Answer the poll in Friday poll" in page  # its launch notice
    assert "Poll: Which habit will you keep?" in page  # its learner panel
    assert "Not answered" in page  # its completion rule, through its template helper
    assert "toy-staff" not in page

    # Answering (the toy's own blueprint) completes it; the notice goes away.
    token = re.search(r"name='t' value='([^']+)'", page).group(1)
    action = re.search(r'action="(/toy/[^"]+/answer)"', page).group(1)
    done = lti.client.post(action, data={"t": token})
    assert done.status_code == 303
    page = lti.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Completed" in page
    assert "Answer the poll in" not in page

    # The instructor's launch: the toy's staff panel, not the learner's.
    staff = lti.enter(INSTRUCTOR, **link).get_data(as_text=True)
    assert "Answers so far: 1" in staff
    assert "toy-learner" not in staff
    with toy_app.app_context():
        activity = db.session.scalar(select(Activity).where(Activity.activity_type == KEY))
        learner = db.session.scalar(select(Person).where(Person.sub == LEARNER.sub))
        assert registry.get(KEY).completion(activity, learner) is True


def test_a_mentor_and_a_guest_get_what_the_toy_declares_for_them_and_no_placeholder(
    toy_app, platform_server
) -> None:
    platform = platform_server[1]
    lti = LtiDriver(toy_app.test_client(), platform)
    link = {"resource_link": {"id": "toy-link"}, "custom": _deep_link_toy(lti, platform)["custom"]}
    # The toy declares no mentor panel: a mentor sees the page, none of the toy's parts.
    mentor = lti.enter(MENTOR, **link).get_data(as_text=True)
    assert "Friday poll" in mentor
    assert "toy-learner" not in mentor and "toy-staff" not in mentor
    assert "opens for participation soon" not in mentor and "being built" not in mentor
    # Nor a guest panel: a guest reads that their role takes no part (registry.NO_PART).
    guest = SandboxUser(
        "toy-guest",
        "Gus Guest",
        "Gus",
        "Guest",
        "gus@sandbox.test",
        ("http://purl.imsglobal.org/vocab/lis/v2/membership#Member",),
    )
    page = lti.enter(guest, **link).get_data(as_text=True)
    assert "does not let you take part in this activity" in page
    assert "toy-learner" not in page
