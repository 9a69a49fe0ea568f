"""The launch benchmark's realistic seed: courses whose learners have work in all four activities.

Run by ``bench/launch`` (unless ``--bare-seed``) after ``flask db upgrade`` and ``flask
platforms add`` and before the tool starts, once per course, with the tool's environment::

    python -m bench.seed_work --issuer … --key-file … --users 500 --links 20 --course 0

Everything goes through the tool's own pages, in-process with the Flask test client and
the same drivers the tests use (``tests/*/support.py``): launches are signed with the
bench platform's own key (``bench/platform_server.py --key-file``), so they are the
launches the platform would send. For course ``c`` (links ``j`` with ``j % 4 == c``;
learners ``i`` with ``i % 4 == c``; activity kind by ``j // 4``: role-play, peer review,
case discussion, journal, then role-play again):

* **role-play** (group size 3): an instructor sets it up; every learner answers the
  intake and accepts the agreement; the instructor forms groups and publishes the round;
* **peer review**: every learner submits; the first half of them give one review each,
  so every learner still owes reviews and half have feedback to read;
* **case discussion** (group size 4): the instructor posts the case; learners ready,
  grouped, round published; in every group the first member starts a thread and the
  others reply;
* **journal** (check-ins 1 day after the plan): every learner writes an entry and adds an
  action item; then every check-in is made due (``due_at`` an hour ago, plain SQL), as
  if the course were a few days on;
* the fifth link of a course is a second role-play, seeded like the first (the learners
  then have two published rounds in the course).

Each course has its own instructor (``bench-instructor-<c>``), so courses can be seeded
in parallel processes.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

from bench.platform_server import (
    CLIENT_ID,
    COURSES,
    DEPLOYMENT_ID,
    course,
    learner,
    link_id,
    link_title,
)

KINDS = ("role_play", "peer_review", "case_discussion", "journal")


def kind_of(j: int) -> str:
    """The activity kind of link ``j``: every course gets all four (and one extra)."""
    return KINDS[(j // COURSES) % len(KINDS)]


def course_learners(c: int, users: int) -> list[int]:
    return [i for i in range(users) if i % COURSES == c]


def links_of(c: int, links: int) -> list[int]:
    return [j for j in range(links) if j % COURSES == c]


def _driver(cls: Any, lti: Any, app: Any, j: int, *args: Any) -> Any:
    d = cls(lti, app, *args)
    d.title = link_title(j)
    return d


def seed_course(c: int, users: int, links: int, issuer: str, key_file: str) -> dict[str, int]:
    from pathlib import Path

    from lti_app import create_app
    from lti_app.sandbox.platform import (
        MEMBERSHIP,
        SandboxPlatform,
        SandboxUser,
        load_or_create_key,
    )
    from tests.case_discussion.support import DiscussionDriver
    from tests.grouping.support import GroupingDriver
    from tests.journal.support import JournalDriver
    from tests.peer_review.support import PeerReviewDriver
    from tests.support import activity_driver as ad
    from tests.support.lti import LtiDriver

    app = create_app()
    platform = SandboxPlatform(
        issuer=issuer,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        key=load_or_create_key(Path(key_file)),
    )
    launch_url = app.config["BASE_URL"].rstrip("/") + "/lti/launch"

    class BenchLti(LtiDriver):
        """The tests' driver, launching at this tool's launch URL."""

        def login_params(self, **overrides: Any) -> dict[str, str]:
            overrides.setdefault("target_link_uri", launch_url)
            return super().login_params(**overrides)

        def launch(self, user: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("target_link_uri", launch_url)
            return super().launch(user, **kwargs)

    lti = BenchLti(app.test_client(), platform)

    staff_user = SandboxUser(
        f"bench-instructor-{c}",
        f"Instructor {c}",
        "Instructor",
        str(c),
        f"instructor{c}@bench.test",
        (MEMBERSHIP + "Instructor",),
    )
    # The drivers launch their set-up as tests.support.lti.INSTRUCTOR; here it is the
    # course's own instructor (one per course, so courses seed in parallel).
    ad.INSTRUCTOR = staff_user
    people = [learner(i) for i in course_learners(c, users)]
    counts = {
        "learners": len(people),
        "submissions": 0,
        "reviews": 0,
        "posts": 0,
        "journal_entries": 0,
        "groups_rounds": 0,
    }
    for j in links_of(c, links):
        kind, link, ctx = kind_of(j), link_id(j), course(j)
        if kind == "role_play" or kind == "case_discussion":
            g = _driver(GroupingDriver, lti, app, j)
            g.create_activity(
                kind, link=link, context=ctx, group_size="3" if kind == "role_play" else "4"
            )
            staff = g.enter(staff_user)
            cd = DiscussionDriver(g) if kind == "case_discussion" else None
            if cd is not None:
                _ok(
                    cd.post(
                        staff,
                        "case",
                        title="The budget freeze",
                        body="<p>Your unit's budget is frozen mid-year.</p>",
                        links="Guide | https://example.org/guide",
                    )
                )
            visits = {u.sub: g.ready(u) for u in people}
            _ok(g.form_groups(staff))
            rnd, group_of = _latest_round(app, g.activity)
            _ok(lti.client.post(f"/g/{g.activity}/rounds/{rnd}/publish", data={"t": staff.token}))
            counts["groups_rounds"] += 1
            if cd is not None:
                cd.visits.update(visits)
                threads: dict[str, str] = {}
                for u in people:
                    group = group_of[u.sub]
                    if group not in threads:
                        resp = cd.start_thread(
                            u, "First thoughts", "Where do we start?", group=group
                        )
                        _ok(resp)
                        found = re.search(r"/threads/([A-Za-z0-9]+)", resp.headers["Location"])
                        assert found is not None, resp.headers["Location"]
                        threads[group] = found.group(1)
                    else:
                        _ok(cd.reply(u, threads[group], f"Reply from {u.name}"))
                    counts["posts"] += 1
        elif kind == "peer_review":
            pr = _driver(PeerReviewDriver, lti, app, j)
            pr.create_activity(link=link, context=ctx)
            visits = {u.sub: pr.enter(u) for u in people}
            for u in people:
                _ok(pr.submit(visits[u.sub], f"Essay by {u.name}"))
                counts["submissions"] += 1
            for u in people[: len(people) // 2]:
                review = pr.open_review(visits[u.sub])
                _ok(pr.send_review(visits[u.sub], review))
                counts["reviews"] += 1
        else:
            jd = _driver(JournalDriver, lti, app, j)
            jd.staff = jd.setup_activity("journal", link=link, context=ctx, checkin_days="1")
            for u in people:
                jd.complete(jd.join(u))
                counts["journal_entries"] += 1
            _make_checkins_due(app, jd.activity)
    from lti_app.extensions import db

    with app.app_context():
        db.engine.dispose()
    return counts


def _latest_round(app: Any, activity_public_id: str) -> tuple[str, dict[str, str]]:
    """The activity's latest round and each member's group (public ids, by sub).

    (The test drivers' own lookups read every activity's rounds: one test, one activity.)
    """
    from sqlalchemy import select

    from lti_app.courses.models import Person
    from lti_app.extensions import db
    from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember, GroupingRound
    from lti_app.peer_activities.models import Activity

    with app.app_context():
        rnd = db.session.execute(
            select(GroupingRound.id, GroupingRound.public_id)
            .join(Activity, Activity.id == GroupingRound.activity_id)
            .where(Activity.public_id == activity_public_id)
            .order_by(GroupingRound.id.desc())
            .limit(1)
        ).one()
        members = db.session.execute(
            select(Person.sub, GroupingGroup.public_id)
            .join(GroupingMember, GroupingMember.person_id == Person.id)
            .join(GroupingGroup, GroupingGroup.id == GroupingMember.group_id)
            .where(GroupingMember.round_id == rnd.id)
        ).all()
        db.session.remove()
    return rnd.public_id, {sub: group for sub, group in members}


def _make_checkins_due(app: Any, activity_public_id: str) -> None:
    """The course is a few days on: every pending check-in of the journal is due."""
    from sqlalchemy import text

    from lti_app.extensions import db

    with app.app_context():
        db.session.execute(
            text(
                "UPDATE journal_checkin SET due_at = :due WHERE activity_id = "
                "(SELECT id FROM activities_activity WHERE public_id = :a)"
            ),
            {"due": _an_hour_ago(), "a": activity_public_id},
        )
        db.session.commit()


def _an_hour_ago() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)


def _ok(resp: Any) -> None:
    if resp.status_code not in (200, 302, 303):
        raise RuntimeError(
            f"seed: {resp.request.method} {resp.request.path} answered "
            f"{resp.status_code}: {resp.get_data(as_text=True)[:400]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--links", type=int, default=20)
    parser.add_argument("--course", type=int, required=True)
    args = parser.parse_args(argv)
    start = time.monotonic()
    counts = seed_course(args.course, args.users, args.links, args.issuer, args.key_file)
    print(
        f"course {args.course}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + f" ({time.monotonic() - start:.0f} s)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
