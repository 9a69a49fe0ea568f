"""Grades and exports of a peer-review activity.

Grades come from the domain (``lti_app.domain.peer_grades``: the configured
aggregation, optional accuracy weighting, reviewing grade, lenient/harsh flags)
and reliability from ``lti_app.domain.reliability``; every figure carries its
explanation.

Side effects: ``override_grade`` and ``publish_grades`` write rows and queue
scores; the request commits.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.domain import grade_comments as comments
from lti_app.domain.peer_grades import (
    GradingOptions,
    Rating,
    ReviewerFlag,
    ReviewingGrade,
    SubmissionGrade,
    reviewer_flags,
    reviewing_grades,
    submission_grades,
)
from lti_app.domain.reliability import krippendorff_alpha
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.grades.models import LineItem
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import (
    DONE,
    REVIEWING_GRADE,
    SUBMISSION_GRADE,
    PeerReviewOverride,
)
from lti_app.peer_activities.peer_review.services import (
    calibrating,
    progress,
    quota,
    reviewing,
    roster,
    rubric,
    self_assessing,
    submitting,
)
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.rich_text import plain

log = logging.getLogger(__name__)


@dataclass
class GradeRow:
    person: Person
    submission: SubmissionGrade | None
    reviewing: ReviewingGrade | None
    overrides: dict[str, PeerReviewOverride]
    #: Reviews each submission should get, and whether staff accepted fewer for this one.
    k: int = 0
    fewer_accepted: bool = False

    @property
    def short(self) -> int:
        """How many reviews the submission grade lacks (0: it rests on k, or was set
        by the instructor, or there is no grade)."""
        if (
            SUBMISSION_GRADE in self.overrides
            or self.submission is None
            or self.submission.grade is None
        ):
            return 0
        return max(0, self.k - self.submission.n_ratings)

    def short_flag(self) -> str:
        """For staff and exports: "based on 2 of 3 reviews (fewer accepted)", or ""."""
        if not self.short:
            return ""
        assert self.submission is not None
        text = f"based on {self.submission.n_ratings} of {self.k} reviews"
        return text + (" (fewer accepted)" if self.fewer_accepted else "")

    def short_explanation(self) -> str:
        """For the learner, in plain words, or ""."""
        if not self.short:
            return ""
        assert self.submission is not None
        n = self.submission.n_ratings
        return (
            f"Your grade rests on {n} review{'s' if n != 1 else ''}, not {self.k}: not "
            "enough of your peers could review your work. Your instructor can see this "
            "and may review it or adjust the grade."
        )

    def percent(self, kind: str) -> float | None:
        if kind in self.overrides:
            return self.overrides[kind].percent
        if kind == SUBMISSION_GRADE:
            f = self.submission.fraction if self.submission else None
        else:
            f = self.reviewing.grade if self.reviewing else None
        return None if f is None else round(100 * f, 1)


@dataclass
class GradeReport:
    rows: list[GradeRow]
    flags: list[ReviewerFlag]
    alpha: float | None
    alpha_text: str
    max_score: float
    method: str
    #: Reviewer key (as in ``flags``) -> display name, for the instructor only.
    names: dict[str, str]


def grade_report(activity: Activity) -> GradeReport:
    """Every learner's submission and reviewing grade, with explanations."""
    rows = rubric.criteria(activity)
    m = rubric.rubric_of(rows).max_total
    pool = submitting.submissions(activity)
    done = [r for r in reviewing.reviews_of(activity) if r.status == DONE and r.total is not None]
    ratings = [
        Rating(str(r.reviewer_id), str(r.submission_id), min(m, float(r.total or 0))) for r in done
    ]
    options = GradingOptions(
        max_score=m,
        method=activity.settings.get("method", "mean"),
        accuracy_weighting=bool(activity.settings.get("accuracy_weighting", False)),
    )
    by_sub = submission_grades(ratings, options, submissions=[str(s.id) for s in pool])
    people = roster.learners(activity)
    st = {s.person.id: s for s in progress.standings(activity, people)}
    assigned = {str(pid): s.owed for pid, s in st.items()}
    helpful = [(str(r.reviewer_id), int(r.helpfulness)) for r in done if r.helpfulness is not None]
    by_rev = reviewing_grades(
        ratings,
        max_score=m,
        assigned=assigned,
        helpfulness=helpful,
        **_calibrated(activity, m),  # issue 20: weighted calibration / self-assessment
    )
    overrides: dict[int, dict[str, PeerReviewOverride]] = {}
    for o in db.session.scalars(
        select(PeerReviewOverride).where(PeerReviewOverride.activity_id == activity.id)
    ):
        overrides.setdefault(o.person_id, {})[o.kind] = o
    # Every member of a group submission gets its grade.
    own = {pid: str(sid) for sid, pids in roster.members(activity).items() for pid in pids}
    accepted = {str(s.id) for s in pool if s.fewer_accepted_at is not None}
    k = quota.k_of(activity)
    out = [
        GradeRow(
            p,
            by_sub.get(own.get(p.id, "")),
            by_rev.get(str(p.id)),
            overrides.get(p.id, {}),
            k,
            own.get(p.id, "") in accepted,
        )
        for p in people
    ]
    names = {str(p.id): p.display_name for p in people}
    flags = reviewer_flags(ratings, max_score=m)
    alpha = krippendorff_alpha(
        [(r.reviewer, r.submission, r.score) for r in ratings], level="interval"
    )
    return GradeReport(
        out,
        flags,
        alpha.alpha,
        f"{alpha.interpretation()}: {alpha.reason}",
        m,
        options.method,
        names,
    )


def _calibrated(activity: Activity, max_score: float) -> dict[str, Any]:
    """What weighted calibration and a self-assessment weight add to the reviewing
    grades (nothing, and no statement, when neither is on)."""
    extra: dict[str, Any] = {}
    if calibrating.mode(activity) == calibrating.WEIGHTED:
        found = calibrating.first_agreements(activity)
        extra["calibration"] = {str(pid): value for pid, value in found.items()}
    self_weight = self_assessing.graded_weight(activity)
    if self_weight > 0:
        mine = self_assessing.accuracies(activity, max_score)
        extra["self_assessment"] = {str(pid): value for pid, value in mine.items()}
        extra["self_weight"] = self_weight
    return extra


def override_grade(
    activity: Activity, person: Person, by: Person, *, kind: str, percent: float, reason: str
) -> PeerReviewOverride:
    """Replace a computed grade with the instructor's, with the reason kept."""
    if kind not in (SUBMISSION_GRADE, REVIEWING_GRADE):
        raise PeerReviewError("Choose the submission grade or the reviewing grade.")
    if not 0 <= percent <= 100:
        raise PeerReviewError("A grade is a percentage from 0 to 100.")
    if not reason.strip():
        raise PeerReviewError("Give a reason for overriding the grade.")
    row = db.session.scalar(
        select(PeerReviewOverride).where(
            PeerReviewOverride.activity_id == activity.id,
            PeerReviewOverride.person_id == person.id,
            PeerReviewOverride.kind == kind,
        )
    )
    if row is None:
        row = PeerReviewOverride(activity_id=activity.id, person_id=person.id, kind=kind)
        db.session.add(row)
    row.percent = percent
    row.reason = reason.strip()[:2000]
    row.by_id = by.id
    db.session.flush()
    log.info(
        "peer review %s: %s grade of %s overridden by %s",
        activity.public_id,
        kind,
        person.public_id,
        by.public_id,
    )
    resend_after_override(activity, person, kind)
    return row


def gradebook_comment(
    activity: Activity, row: GradeRow, kind: str, *, asked: int | None = None
) -> str:
    """What the learner reads beside this grade in the LMS, in plain words ("Average
    of 3 peer reviews: 78%."); the formula stays on the staff explanation page.
    ``asked``: the reviews each learner owes (computed when not given)."""
    percent = row.percent(kind)
    if kind in row.overrides or percent is None:
        return comments.OVERRIDDEN
    if kind == SUBMISSION_GRADE:
        n = row.submission.n_ratings if row.submission is not None else 0
        return comments.submission_comment(
            n,
            percent / 100,
            method=str(activity.settings.get("method", "mean")),
            weighted=bool(activity.settings.get("accuracy_weighting", False)),
        )
    r = row.reviewing
    if asked is None:
        asked = quota.quota(activity, roster.unit_count(activity))
    written = round(r.completion * asked) if r is not None and r.completion is not None else None
    return comments.reviewing_comment(
        percent / 100,
        written=written,
        asked=asked if written is not None else None,
        accuracy=r.accuracy if r is not None else None,
        stars=1 + 4 * r.helpfulness if r is not None and r.helpfulness is not None else None,
        calibrated=calibrating.mode(activity) == calibrating.WEIGHTED,
        self_weight=self_assessing.graded_weight(activity),
    )


def _send(activity: Activity, row: GradeRow, kind: str, line_item: LineItem) -> bool:
    percent = row.percent(kind)
    if percent is None:
        return False
    return (
        grades.record_score(
            line_item,
            row.person,
            score_given=percent,
            score_maximum=100,
            comment=gradebook_comment(activity, row, kind),
        )
        is not None
    )


def publish_grades(activity: Activity) -> int:
    """Queue every learner's submission and reviewing grade (override first) to the
    gradebook, each with its explanation as the comment; unchanged scores are not
    sent again. Returns how many scores were queued or kept.

    Side effects: line items made on first use; scores in the outbox.
    """
    report = grade_report(activity)
    items = {
        kind: grades.line_item_for(activity, kind) for kind in (SUBMISSION_GRADE, REVIEWING_GRADE)
    }
    sent = sum(
        _send(activity, row, kind, item) for row in report.rows for kind, item in items.items()
    )
    log.info("peer review %s: %d grade(s) queued to the gradebook", activity.public_id, sent)
    return sent


def resend_after_override(activity: Activity, person: Person, kind: str) -> None:
    """Once grades are published (the line item exists), an override goes out too."""
    item = db.session.scalar(
        select(LineItem).where(LineItem.activity_id == activity.id, LineItem.kind == kind)
    )
    if item is None:
        return
    row = next((r for r in grade_report(activity).rows if r.person.id == person.id), None)
    if row is not None:
        _send(activity, row, kind, item)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(activity: Activity) -> str:
    """Every review: author (every member of a group submission), reviewer, each
    criterion's points and comment, total, overall comment, helpfulness, and the
    comments on passages (“passage”: comment; …)."""
    rows = rubric.criteria(activity)
    owners = roster.members(activity)
    names = {
        p.id: p.display_name
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({pid for pids in owners.values() for pid in pids}))
        )
    }
    out = io.StringIO()
    writer = csv.writer(out)
    flags = {row.person.id: row.short_flag() for row in grade_report(activity).rows}
    writer.writerow(
        [
            "author",
            "reviewer",
            "status",
            *[h for c in rows for h in (c.name, f"{c.name} comment")],
            "total",
            "comment",
            "helpfulness",
            "helpfulness comment",
            "completed at",
            "grade flag",
            "comments on passages",
        ]
    )
    for r in reviewing.reviews_of(activity):
        others = sorted(
            names.get(pid, "") for pid in owners.get(r.submission_id, ()) if pid != r.author_id
        )
        author = "; ".join([names.get(r.author_id, ""), *others])
        notes = r.criterion_comments or {}
        writer.writerow(
            [
                _cell(x)
                for x in (
                    author,
                    r.reviewer.display_name,
                    r.status,
                    *[
                        x
                        for c in rows
                        for x in (r.scores.get(c.public_id, ""), plain(notes.get(c.public_id, "")))
                    ],
                    r.total,
                    plain(r.comment),
                    r.helpfulness or "",
                    plain(r.helpfulness_comment),
                    r.completed_at.isoformat(timespec="seconds") if r.completed_at else "",
                    flags.get(r.author_id, ""),
                    "; ".join(
                        f"“{p['quote']}”: {p['comment']}" for p in (r.passage_comments or [])
                    ),
                )
            ]
        )
    return out.getvalue()
