"""The rubric library: saved per platform deployment, applied to any peer review,
never visible to another platform."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.peer_review.models import (
    PeerReviewCriterion,
    PeerReviewLibraryRubric,
)
from lti_app.sandbox.platform import SandboxPlatform
from tests.conftest import register_platform
from tests.peer_review.support import ANA, BEN, PeerReviewDriver
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from

RUBRIC = "Argument* | 6 | 0 | Missing; 3 | Partial; 6 | Convincing\nSources | 2"


def _library_ids(html: str) -> dict[str, str]:
    """Library rubric name -> id, from the "use a rubric from the library" list."""
    return {
        name: pid
        for pid, name in re.findall(r'<option value="([^"]+)">([^<:]+?)(?: \(starter\))?:', html)
    }


def _criteria_of(pr: PeerReviewDriver, activity: str) -> list[tuple[str, int, str, bool]]:
    with pr.app.app_context():
        from lti_app.peer_activities.models import Activity

        rows = db.session.scalars(
            select(PeerReviewCriterion)
            .join(Activity)
            .where(Activity.public_id == activity)
            .order_by(PeerReviewCriterion.position)
        ).all()
        return [(c.name, c.max_points, c.levels, c.comment_required) for c in rows]


def test_staff_save_a_rubric_to_the_library_and_apply_it_to_another_activity(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    first = pr.activity
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(f"/pr/{first}/rubric", data={"t": staff.token, "rubric": RUBRIC}).status_code
        == 303
    )
    nameless = pr.client.post(f"/pr/{first}/library", data={"t": staff.token, "name": " "})
    assert nameless.status_code == 422 and "name" in nameless.get_data(as_text=True)
    assert (
        pr.client.post(
            f"/pr/{first}/library", data={"t": staff.token, "name": "Essay rubric"}
        ).status_code
        == 303
    )

    pr.create_activity(link="pr-link-2", reviews_per_submission="1")
    second = pr.activity
    staff = pr.enter(INSTRUCTOR)
    ids = _library_ids(pr.page(staff))
    assert {"Essay rubric", "Written case analysis", "Presentation", "Action plan"} <= set(ids)
    assert (
        pr.client.post(
            f"/pr/{second}/rubric", data={"t": staff.token, "library": ids["Essay rubric"]}
        ).status_code
        == 303
    )
    assert (
        _criteria_of(pr, second)
        == _criteria_of(pr, first)
        == [
            ("Argument", 6, "0 | Missing\n3 | Partial\n6 | Convincing", True),
            ("Sources", 2, "", False),
        ]
    )

    # Saving again under the same name replaces the saved rubric.
    assert (
        pr.client.post(
            f"/pr/{second}/rubric", data={"t": staff.token, "rubric": "Argument | 6"}
        ).status_code
        == 303
    )
    assert (
        pr.client.post(
            f"/pr/{second}/library", data={"t": staff.token, "name": "Essay rubric"}
        ).status_code
        == 303
    )
    with pr.app.app_context():
        [row] = db.session.scalars(select(PeerReviewLibraryRubric)).all()
        assert [c["name"] for c in row.criteria] == ["Argument"]

    # Once a review is done, a library rubric can no longer replace the activity's.
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    assert pr.send_review(a, pr.open_review(a), [6]).status_code == 303
    locked = pr.client.post(
        f"/pr/{second}/rubric", data={"t": staff.token, "library": ids["Presentation"]}
    )
    assert locked.status_code == 422
    assert "can no longer be changed" in locked.get_data(as_text=True)
    assert [c[0] for c in _criteria_of(pr, second)] == ["Argument"]


def test_a_starter_rubric_applies_with_its_levels_and_required_comments(
    pr: PeerReviewDriver,
) -> None:
    staff = pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    ids = _library_ids(pr.page(staff))
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/rubric", data={"t": staff.token, "library": ids["Action plan"]}
        ).status_code
        == 303
    )
    rows = _criteria_of(pr, pr.activity)
    assert [r[0] for r in rows] == [
        "Goal",
        "Actions and milestones",
        "Resources and obstacles",
        "Measures of success",
    ]
    assert rows[0][3] is True and rows[1][3] is False
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/rubric", data={"t": staff.token, "library": "no-such-rubric"}
        ).status_code
        == 404
    )


def test_copying_another_activitys_rubric_still_works(pr: PeerReviewDriver) -> None:
    pr.create_activity()
    first = pr.activity
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(f"/pr/{first}/rubric", data={"t": staff.token, "rubric": RUBRIC}).status_code
        == 303
    )
    pr.create_activity(link="pr-link-2")
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/rubric", data={"t": staff.token, "copy_from": first}
        ).status_code
        == 303
    )
    assert _criteria_of(pr, pr.activity) == _criteria_of(pr, first)


def test_another_platforms_library_rubric_gives_404(
    pr: PeerReviewDriver, app, platform_server
) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/library", data={"t": staff.token, "name": "Ours only"}
        ).status_code
        == 303
    )
    ours = _library_ids(pr.page(staff))["Ours only"]

    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer-pr",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    other = LtiDriver(app.test_client(), twin)
    launch = other.launch(INSTRUCTOR, resource_link={"id": "their-pr-link"})
    their_token = token_from(launch.headers["Content-Location"])
    setup = re.search(r'action="/a/([^/"]+)/setup"', launch.get_data(as_text=True))
    assert setup is not None
    theirs = setup.group(1)
    assert (
        other.client.post(
            f"/a/{theirs}/setup",
            data={"t": their_token, "activity_type": "peer_review", "title": "Theirs"},
        ).status_code
        == 303
    )
    page = other.client.get(f"/a/{theirs}", query_string={"t": their_token})
    assert "Ours only" not in page.get_data(as_text=True)
    assert (
        other.client.post(
            f"/pr/{theirs}/rubric", data={"t": their_token, "library": ours}
        ).status_code
        == 404
    )
    assert (
        other.client.post(
            f"/pr/{theirs}/library/{ours}/delete", data={"t": their_token}
        ).status_code
        == 404
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(PeerReviewLibraryRubric.name).where(
                    PeerReviewLibraryRubric.public_id == ours
                )
            )
            == "Ours only"
        )
    # The owner can remove it.
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/library/{ours}/delete", data={"t": staff.token}
        ).status_code
        == 303
    )
    assert "Ours only" not in pr.page(staff)
