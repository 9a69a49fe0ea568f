"""Who may do what in role-play: roles, tenants, tokens, and sanitised HTML."""

from __future__ import annotations

import html

from lti_app.extensions import db
from lti_app.sandbox.platform import SandboxPlatform
from tests.conftest import register_platform
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, OTHER_COURSE
from tests.role_play.support import card
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from

TRIAD = (ASHA, BRUNO, CARLA)


def _staff_endpoints(rp, round_id: str) -> list[tuple[str, str]]:
    base = f"/rp/{rp.activity}"
    scenario = _scenario_id(rp)
    return [
        ("GET", f"{base}/scenarios/new"),
        ("POST", f"{base}/scenarios"),
        ("GET", f"{base}/scenarios/{scenario}"),
        ("POST", f"{base}/scenarios/{scenario}"),
        ("POST", f"{base}/scenarios/{scenario}/delete"),
        ("POST", f"{base}/checklist"),
        ("POST", f"{base}/rounds/{round_id}/advance"),
        ("POST", f"{base}/rounds/{round_id}/replace"),
        ("POST", f"{base}/one-round-per-member"),
    ]


def _scenario_id(rp) -> str:
    from sqlalchemy import select

    from lti_app.peer_activities.role_play.models import RolePlayScenario

    with rp.app.app_context():
        found = db.session.scalar(select(RolePlayScenario.public_id))
        db.session.remove()
        return found


def _started(rp):
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    assert rp.act(practitioner, rnd, "start").status_code == 303
    return rnd


def test_feedback_for_a_round_you_did_not_observe_is_refused(rp) -> None:
    rp.setup(TRIAD + (DEV, ELIF, FEMI))
    rnd = _started(rp)
    for sub in rnd.who("practitioner") + rnd.who("client"):
        resp = rp.act(sub, rnd, "feedback", feedback="Sneaky.", **rp.ratings(4))
        assert resp.status_code == 403
        assert "did not observe this round" in resp.get_data(as_text=True)
    # Someone from another group cannot give it either.
    outsider = next(u for u in TRIAD + (DEV, ELIF, FEMI) if u.sub not in rnd.roles)
    resp = rp.act(outsider.sub, rnd, "feedback", feedback="Sneaky.", **rp.ratings(4))
    assert resp.status_code == 403
    # Nor can anyone but the practitioner rate themselves for it.
    assert rp.act(rnd.who("observer")[0], rnd, "self", **rp.ratings(4)).status_code == 403


def test_other_roles_cards_stay_hidden_until_the_round_ends(rp) -> None:
    rp.setup(TRIAD)
    rnd = _started(rp)
    client = rnd.who("client")[0]
    page = html.unescape(rp.page(rp.visit(client)))
    assert card("client", 1) in page
    assert card("practitioner", 1) not in page and card("observer", 1) not in page
    assert "shown when the round ends" in page
    # Feedback before the end is possible for the observer, but the round can't be
    # skipped: the next round cannot start while this one is open.
    nxt = rp.rounds_of(ASHA)[1]
    assert rp.act(client, nxt, "start").status_code == 409
    assert rp.act(client, rnd, "end").status_code == 303
    page = html.unescape(rp.page(rp.visit(client)))
    assert card("practitioner", 1) in page and card("observer", 1) in page


def test_learners_never_see_another_groups_rounds_or_feedback(rp) -> None:
    people = TRIAD + (DEV, ELIF, FEMI)
    rp.setup(people)
    rnd = _started(rp)
    practitioner, observer = rnd.who("practitioner")[0], rnd.who("observer")[0]
    rp.act(practitioner, rnd, "end")
    rp.act(observer, rnd, "feedback", feedback="Private words for my group.", **rp.ratings(2))
    names = {s.sub: s.name for s in people}
    for user in people:
        if user.sub in rnd.roles:
            continue
        page = rp.page(user)
        assert "Private words for my group." not in page
        assert all(names[sub] not in page for sub in rnd.roles)


def test_html_in_scenarios_and_feedback_is_sanitised(rp) -> None:
    staff = rp.setup(TRIAD)
    scenario = _scenario_id(rp)
    resp = rp.post(
        staff,
        f"scenarios/{scenario}",
        title="Evil <b>title</b>",
        practitioner_card="<p>Ask <strong>open</strong> questions"
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a> <a href="https://ok.test">ok</a></p>',
        client_card="<p onclick='alert(4)'>Worried</p>",
        observer_card="Plain\n\ntext",
    )
    assert resp.status_code == 303
    rnd = rp.rounds_of(ASHA)[0]
    page = rp.page(rp.visit(rnd.who("practitioner")[0]))
    assert "<strong>open</strong>" in page
    assert '<a href="https://ok.test" rel="noopener noreferrer">ok</a>' in page
    for bad in ("<script>alert", "onerror", "javascript:", "onclick", "alert(1)"):
        assert bad not in page, bad
    assert "Evil &lt;b&gt;title&lt;/b&gt;" in page  # titles are text, escaped
    practitioner = rnd.who("practitioner")[0]
    rp.act(practitioner, rnd, "start")
    rp.act(practitioner, rnd, "end")
    rp.act(
        rnd.who("observer")[0],
        rnd,
        "feedback",
        feedback='Nice<script>alert(5)</script><img src=x onerror="alert(6)"> <em>work</em>',
        **rp.ratings(3),
    )
    rp.act(practitioner, rnd, "self", **rp.ratings(3))
    page = rp.page(rp.visit(practitioner))
    assert "<em>work</em>" in page and "<p>Plain</p><p>text</p>" in page
    assert "alert(5)" not in page and "alert(6)" not in page and "<img" not in page


def test_learners_cannot_use_staff_endpoints_nor_staff_play_nor_tokenless_posts(rp) -> None:
    staff = rp.setup(TRIAD)
    rnd = rp.rounds_of(ASHA)[0]
    asha = rp.visit(ASHA.sub)
    for method, path in _staff_endpoints(rp, rnd.public_id):
        resp = rp.client.open(
            path,
            method=method,
            data={"t": asha.token},
            query_string={"t": asha.token} if method == "GET" else None,
        )
        assert resp.status_code == 403, (method, path)
    # Staff watch and move rounds on; they do not play them.
    assert rp.post(staff, f"rounds/{rnd.public_id}/start").status_code == 403
    # Every POST needs the session token (it is also the CSRF token).
    for action in ("start", "end", "feedback", "self", "advance", "replace"):
        path = f"/rp/{rp.activity}/rounds/{rnd.public_id}/{action}"
        assert rp.client.post(path, data={}).status_code == 401, path
    assert rp.client.post(f"/rp/{rp.activity}/scenarios", data={"title": "x"}).status_code == 401


def test_another_course_activity_id_gives_404(rp) -> None:
    staff = rp.setup(TRIAD)
    rnd = rp.rounds_of(ASHA)[0]
    mine = rp.activity
    theirs = rp.g.create_activity("role_play", link="other-link", context=OTHER_COURSE)
    other_staff = rp.g.enter(INSTRUCTOR, context=OTHER_COURSE, link="other-link")
    # Their staff, on my activity's pages and rounds.
    for method, path in _staff_endpoints(rp, rnd.public_id):
        path = path.replace(theirs, mine)
        resp = rp.client.open(
            path,
            method=method,
            data={"t": other_staff.token},
            query_string={"t": other_staff.token} if method == "GET" else None,
        )
        assert resp.status_code == 404, (method, path)
    # My round through their activity's URL is not found either.
    assert (
        rp.client.post(
            f"/rp/{theirs}/rounds/{rnd.public_id}/advance", data={"t": other_staff.token}
        ).status_code
        == 404
    )
    assert (
        rp.client.post(
            f"/rp/{theirs}/rounds/{rnd.public_id}/advance", data={"t": staff.token}
        ).status_code
        == 404
    )


def test_another_platform_activity_id_gives_404(rp, app, platform_server) -> None:
    rp.setup(TRIAD)
    rnd = rp.rounds_of(ASHA)[0]
    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    other = LtiDriver(app.test_client(), twin)
    their_staff = token_from(
        other.launch(INSTRUCTOR, resource_link={"id": "grp-link"}).headers["Content-Location"]
    )
    for method, path in _staff_endpoints(rp, rnd.public_id):
        resp = rp.client.open(
            path,
            method=method,
            data={"t": their_staff},
            query_string={"t": their_staff} if method == "GET" else None,
        )
        assert resp.status_code == 404, (method, path)
