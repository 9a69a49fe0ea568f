"""Who interacts with whom, and reviewer reliability, from peer reviews."""

from __future__ import annotations

import csv
import html
import io

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission
from tests.analytics.support import ANA, BEN, CHLOE, DIEGO


def test_reviews_make_ties_and_the_loner_is_an_isolate(an, app) -> None:
    an.setup()
    for user in (ANA, BEN, CHLOE, DIEGO):
        an.join(user)
    with app.app_context():
        activity = db.session.scalar(select(Activity).where(Activity.public_id == an.activity))
        ids = {sub: pid for sub, pid in db.session.execute(select(Person.sub, Person.id))}
        subs = {}
        for user in (ANA, BEN, CHLOE):
            sub = PeerReviewSubmission(
                activity_id=activity.id, author_id=ids[user.sub], body="draft"
            )
            db.session.add(sub)
            db.session.flush()
            subs[user.sub] = sub
        # Each of the three reviews the other two; the totals mostly agree.
        for reviewer, author, total in (
            (ANA, BEN, 8),
            (CHLOE, BEN, 8),
            (BEN, ANA, 5),
            (CHLOE, ANA, 6),
            (ANA, CHLOE, 3),
            (BEN, CHLOE, 3),
        ):
            db.session.add(
                PeerReviewReview(
                    activity_id=activity.id,
                    submission_id=subs[author.sub].id,
                    reviewer_id=ids[reviewer.sub],
                    author_id=ids[author.sub],
                    status="done",
                    total=float(total),
                )
            )
        db.session.commit()
    page = html.unescape(
        an.client.get("/an/course", query_string={"t": an.staff.token}).get_data(as_text=True)
    )
    assert "3 ties; reciprocity 1.00" in page
    assert "Isolates (no review or reply given or received): Diego Ruiz." in page
    assert "Krippendorff's alpha" in page and "reliable" in page
    ties = list(
        csv.DictReader(
            io.StringIO(
                an.client.get(
                    "/an/course/export/network.csv", query_string={"t": an.staff.token}
                ).get_data(as_text=True)
            )
        )
    )
    assert sorted(int(t["interactions"]) for t in ties) == [2, 2, 2]
