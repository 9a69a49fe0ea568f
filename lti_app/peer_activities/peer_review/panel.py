"""What the activity page shows about peer review: the learner's tasks and
feedback, and the instructor's dashboard. Building a view may create the default
rubric on first look; nothing else is written.

Privacy by query and serializer: a learner's received reviews come from their own
submission only and are dumped through the author schema of the activity's
anonymity setting; staff views are never built for learners.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from lti_app.actor.session import Actor
from lti_app.courses.anonymity import redactor_for
from lti_app.courses.models import Enrolment
from lti_app.db import change_stamps, utcnow
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import (
    calibration_panel,
    grading,
    groups,
    passage_comments,
    phase_control,
    phases,
    rubrics,
    schemas,
    shortfall,
    uploads,
)
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.levels import levels_of
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewOverride,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)


def enabled(activity: Activity) -> bool:
    return activity.activity_type == "peer_review"


def anonymity(activity: Activity) -> str:
    return str(activity.settings.get("anonymity", "double_blind"))


def received_reviews(
    activity: Activity, actor: Actor, standing: grading.Standing | None = None
) -> list[dict[str, Any]]:
    """The done reviews of the actor's own submission (or their group's), as the
    author may see them: per-criterion comments included, the reviewer never
    (unless the activity is open). ``standing``: the actor's, when the caller has
    read it (its submission and reviews are then not read again)."""
    if standing is None:
        own = subs.submission_of(activity, actor.person)
        found = (
            [] if own is None else [r for r in rv.reviews_of(activity) if r.submission_id == own.id]
        )
    else:
        own = standing.submission
        found = [] if own is None else [r for r in standing.reviews if r.submission_id == own.id]
    found = [r for r in found if r.status == DONE]
    if own is None or not found or not _revealed(activity, own, len(found)):
        return []
    criteria = subs.criteria(activity)
    schema = schemas.for_author(anonymity(activity))()
    out = []
    # Under single- and double-blind the reviewer's words lose every course member's
    # name too ("Thanks, Ben" would name the reviewer); the stored review is kept.
    # (One query for the course's names, only when there is feedback to show.)
    redactor = redactor_for(activity.course_id) if anonymity(activity) != "open" else None
    for n, review in enumerate(found, start=1):
        data: dict[str, Any] = schema.dump(schemas.review_facts(review, criteria))
        data["label"] = data.get("reviewer_name") or f"Reviewer {n}"
        if redactor is not None:
            data["comment"] = redactor.html(data.get("comment") or "")
            for score in data.get("scores") or []:
                score["comment"] = redactor.html(score.get("comment") or "")
        data["passages"] = passage_comments.shown(own.body, review.passage_comments, redactor)
        out.append(data)
    return out


def _revealed(activity: Activity, own: PeerReviewSubmission, done: int) -> bool:
    """Whether the author sees the reviews of ``own`` now (``phases.revealed``)."""
    return phases.revealed(
        activity.settings,
        utcnow(),
        done=done,
        k=rv.k_of(activity),
        fewer_accepted=own.fewer_accepted_at is not None,
    )


def feedback_revealed(activity: Activity, own: PeerReviewSubmission) -> bool:
    """``_revealed`` for a submission whose done reviews are not read yet."""
    done = sum(1 for r in rv.reviews_of(activity) if r.submission_id == own.id and r.status == DONE)
    return _revealed(activity, own, done)


def learner_panel(actor: Actor, activity: Activity) -> dict[str, Any]:
    """The learner's view: what they owe, their submission, reviews, feedback."""
    standing = grading.standings(activity, [actor.person])[0]
    mine = [r for r in standing.reviews if r.reviewer_id == actor.person.id]
    given = [
        schemas.ReviewForReviewer().dump(schemas.review_facts(r, []))
        for r in mine
        if r.status == DONE
    ]
    if anonymity(activity) == "double_blind" and any(i.get("helpfulness_comment") for i in given):
        redactor = redactor_for(activity.course_id)  # the author's reply must not name them
        for item in given:
            item["helpfulness_comment"] = redactor.html(item.get("helpfulness_comment") or "")
    open_review = next((r for r in mine if r.status == LEASED), None)
    rate = bool(activity.settings.get("rate_feedback", True))
    timeline = phases.timeline(activity.settings, utcnow())
    at_results = phases.at_results(activity.settings, utcnow())
    if phases.manual_phase(activity.settings) is None:
        #: By hand, the instructor's phase is everyone's "now"; by dates, a learner
        #: who finished a step is already on the next one.
        timeline = own_steps(
            timeline,
            submitted=standing.submission is not None,
            reviewed=standing.owed > 0 and standing.given >= standing.owed,
        )
    group_mode = groups.group_mode(activity)
    group = groups.group_of(activity, actor.person) if group_mode else None
    own = standing.submission
    can_volunteer = own is not None and standing.given >= standing.owed
    received = received_reviews(activity, actor, standing)
    key = phases.phase_key(activity.settings)
    # What is owed, as the phase set by hand lets it be done (nothing when closed).
    owes = [] if key in (phases.SETUP, phases.CLOSED) else standing.owes(rate and bool(received))
    return {
        "group_mode": group_mode,
        "group": group,
        #: Who the (group) submission is from, for its members' eyes only.
        "group_names": [
            p.display_name
            for p in (
                _people_of(activity, own)
                if own is not None
                else groups.group_people(group)
                if group is not None
                else []
            )
        ],
        "timeline": timeline,
        "grades": _own_grades(activity, actor) if at_results or standing.completed else None,
        "standing": standing,
        "owes": owes,
        "submission": standing.submission,
        "open_review": open_review,
        "given": given,
        "received": received,
        "rate_feedback": rate,
        "k": rv.k_of(activity),
        "max_mb": uploads.max_bytes() // (1024 * 1024),
        "allow_revision": bool(activity.settings.get("allow_revision")),
        "can_volunteer": can_volunteer,
        #: Short submissions the instructor offered to volunteers that they could take.
        "wanted": shortfall.offered_to(activity, actor.person) if can_volunteer else 0,
        #: The rubric their work will be reviewed against, read-only, before they submit.
        "rubric": _rubric(activity) if own is None else None,
        #: Calibration and self-assessment (issue 20); None, and no statement, when off.
        "cal": calibration_panel.learner(actor, activity, standing),
        #: What the phase lets the learner do now (``phases.RULES``), and why not.
        "may": phase_control.learner_may(activity.settings),
        "phase_note": phase_control.learner_note(activity.settings),
        "phase": key,
        "reveal": activity.settings.get("results_reveal") or phases.REVEAL_EACH,
    }


def _people_of(activity: Activity, own: PeerReviewSubmission) -> list[Any]:
    """Everyone whose submission ``own`` is: only a group submission has member
    rows to read (an individual one is its author's alone)."""
    return subs.people_of(activity, own) if groups.group_mode(activity) else [own.author]


def _rubric(activity: Activity) -> list[dict[str, Any]]:
    """Criteria with their points and levels, for authors to read before submitting."""
    return [
        {"name": c.name, "max_points": c.max_points, "levels": levels_of(c.levels, c.max_points)}
        for c in subs.criteria(activity)
    ]


def staff_panel(actor: Actor, activity: Activity) -> dict[str, Any]:
    """The instructor's dashboard: rubric, progress, who is stuck, grades."""
    criteria = subs.criteria(activity)
    standings = grading.standings(activity)
    report = grading.grade_report(activity)
    reviews = rv.reviews_of(activity)
    return {
        "timeline": phases.timeline(activity.settings, utcnow()),
        "phase_choices": phase_control.choices(activity.settings),
        "settings": activity.settings,
        "criteria": criteria,
        "levels": {c.public_id: levels_of(c.levels, c.max_points) for c in criteria},
        "rubric_text": schemas.rubric_text(criteria),
        "rubric_locked": subs.reviews_started(activity),
        "library": rubrics.library(activity),
        "group_sources": groups.group_sources(activity),
        "group_source": groups.group_source(activity),
        "group_locked": any(s.submission is not None for s in standings),
        "standings": standings,
        "stuck": [s for s in standings if s.stuck],
        "report": report,
        "grades": {row.person.id: row for row in report.rows},
        "matrix": _matrix(activity, reviews),
        "anonymity": anonymity(activity),
        #: Calibration and self-assessment (issue 20).
        "cal": calibration_panel.staff(activity, [s.person for s in standings], criteria),
        **_short(activity),
    }


def _short(activity: Activity) -> dict[str, Any]:
    """The short-of-reviews panel: once reviews close, every submission below k
    with the remedies; before, only those peers can never bring to k."""
    closed = shortfall.reviews_closed(activity)
    return {
        "reviews_closed": closed,
        "k": rv.k_of(activity),
        "short": shortfall.short_of_reviews(activity) if closed else [],
        "never_k": [] if closed else shortfall.never_reaching_k(activity),
    }


#: (activity id, person id) -> (fingerprint, own grades): a learner's grades need
#: the whole activity's ratings (accuracy weighting, leave-one-out consensus), so
#: they are computed once per change of what they depend on, not per page.
_OWN: dict[tuple[int, int], tuple[tuple[Any, ...], dict[str, Any] | None]] = {}
_OWN_MAX = 20_000


def _grades_fingerprint(activity: Activity) -> tuple[Any, ...]:
    """What the grades are computed from: reviews, overrides, progress, the roster
    and the settings (one query)."""
    row = tuple(
        db.session.execute(
            select(
                *change_stamps(
                    (PeerReviewReview, PeerReviewReview.activity_id == activity.id),
                    (PeerReviewOverride, PeerReviewOverride.activity_id == activity.id),
                    (PeerReviewProgress, PeerReviewProgress.activity_id == activity.id),
                    (Enrolment, Enrolment.course_id == activity.course_id),
                )
            )
        ).one()
    )
    return (*row, json.dumps(activity.settings, sort_keys=True, default=str))


def _own_grades(activity: Activity, actor: Actor) -> dict[str, Any] | None:
    key = (activity.id, actor.person.id)
    fingerprint = _grades_fingerprint(activity)
    hit = _OWN.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    found = _compute_own_grades(activity, actor)
    if len(_OWN) >= _OWN_MAX:
        _OWN.clear()
    _OWN[key] = (fingerprint, found)
    return found


def _compute_own_grades(activity: Activity, actor: Actor) -> dict[str, Any] | None:
    """The learner's own two grades, each with the plain sentence the gradebook gets
    beside it ("Average of 3 peer reviews: 78%."), which names nobody. The formulas
    (weights, peer scores in brackets) stay on the instructor's explanation."""
    row = next(
        (r for r in grading.grade_report(activity).rows if r.person.id == actor.person.id), None
    )
    if row is None:
        return None

    def words(kind: str) -> str:
        return (
            grading.gradebook_comment(activity, row, kind) if row.percent(kind) is not None else ""
        )

    return {
        "submission": row.percent("submission"),
        "submission_text": words("submission"),
        "short_text": row.short_explanation(),
        "reviewing": row.percent("reviewing"),
        "reviewing_text": words("reviewing"),
    }


def _matrix(activity: Activity, reviews: list[PeerReviewReview]) -> list[dict[str, Any]]:
    """Reviewer × submission, for the instructor (names shown: staff only; a group
    submission is named by its submitter, "+ n" for the other members)."""
    owners = subs.members(activity)
    out = []
    for r in reviews:
        others = len(owners.get(r.submission_id, ())) - 1
        author = r.submission.author.display_name + (f" + {others}" if others > 0 else "")
        out.append(
            {
                "reviewer": r.reviewer.display_name,
                "author": author,
                "status": r.status,
                "total": r.total,
                "helpfulness": r.helpfulness,
            }
        )
    return out


def moderation(activity: Activity, sub: PeerReviewSubmission) -> dict[str, Any]:
    """Staff only: the work and all its reviews, with names."""
    criteria = subs.criteria(activity)
    found = [
        schemas.review_facts(r, criteria)
        | {
            "completed_at": r.completed_at,
            "passages": passage_comments.shown(sub.body, r.passage_comments),
        }
        for r in rv.reviews_of(activity)
        if r.submission_id == sub.id and r.status == DONE
    ]
    return {
        "work": schemas.SubmissionForReviewerNamed().dump(schemas.submission_facts(sub)),
        "submission": sub,
        "reviews": found,
        "members": [p.display_name for p in subs.people_of(activity, sub)],
    }


def review_page(activity: Activity, review: PeerReviewReview) -> dict[str, Any]:
    """The reviewer's task: the work (author shown only if the setting allows)
    and the rubric."""
    schema = schemas.for_reviewer(anonymity(activity))()
    criteria = subs.criteria(activity)
    return {
        "work": schema.dump(schemas.submission_facts(review.submission)),
        "criteria": criteria,
        "review": review,
        "levels": {c.public_id: levels_of(c.levels, c.max_points) for c in criteria},
    }


def own_steps(
    timeline: list[phases.Phase], *, submitted: bool, reviewed: bool
) -> list[phases.Phase]:
    """The phases as one learner lives them: a step they have finished is behind
    them even before its due date, so "now" is the later of the activity's phase
    and their first unfinished step (handing in moves them on to reviewing)."""
    finished = {phases.SUBMISSION} if submitted else set()
    if submitted and reviewed:
        finished.add(phases.REVIEW)
    now = next(i for i, ph in enumerate(timeline) if ph.current)
    first_open = next(i for i, ph in enumerate(timeline) if ph.key not in finished)
    mine = max(now, first_open)
    return [
        replace(ph, current=i == mine, past=ph.past or i < mine) for i, ph in enumerate(timeline)
    ]
