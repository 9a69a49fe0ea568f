"""Progress, completion, grades and exports of a peer-review activity.

Grades come from the domain (``lti_app.domain.peer_grades``: the configured
aggregation, optional accuracy weighting, reviewing grade, lenient/harsh flags)
and reliability from ``lti_app.domain.reliability``; every figure carries its
explanation. Completion is queued to the gradebook outbox once per learner.

Side effects: ``check_completion``, ``move_on`` and ``override_grade`` write rows
and may queue a score; the request commits.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from lti_app.courses.models import Person
from lti_app.db import utcnow
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
from lti_app.peer_activities.peer_review import groups, phases
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    DONE,
    REVIEWING_GRADE,
    SUBMISSION_GRADE,
    PeerReviewOverride,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.submissions import PeerReviewError, learners
from lti_app.peer_activities.rich_text import plain

log = logging.getLogger(__name__)
COMPLETION_COMMENT = "Peer assessment: submitted, reviewed peers and rated the feedback."


@dataclass
class Standing:
    """One learner's progress through the activity (what the dashboard shows)."""

    person: Person
    submission: PeerReviewSubmission | None
    given: int = 0
    leased: int = 0
    expired: int = 0
    owed: int = 0
    received: int = 0
    rated: int = 0
    expected: int = 0
    progress: PeerReviewProgress | None = None
    #: Every other submission has been reviewed (or is held) by them already.
    no_work: bool = False

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def moved_on(self) -> bool:
        return self.progress is not None and self.progress.moved_on_at is not None

    #: Submitted after the submission due date.
    late: bool = False
    #: Phases whose due date passed with this learner's part undone.
    overdue: tuple[str, ...] = ()
    #: Group submissions are on and this learner, without a submission, is in no group.
    no_group: bool = False

    @property
    def stuck(self) -> str:
        """Why this learner cannot finish on their own (or is behind), or ""."""
        if self.completed:
            return ""
        if self.no_group:
            return "not in a group, so they cannot submit (group submissions)"
        if self.overdue:
            return "overdue: " + ", ".join(self.overdue)
        if self.submission is not None and self.given < self.owed and not self.leased \
                and self.no_work:
            return "no submission left for them to review"
        if self.expired:
            return "abandoned a review (its lease ran out)"
        return ""

    def owes(self, rate_feedback: bool) -> list[str]:
        """What the learner still has to do, in order."""
        out = []
        if self.submission is None and not self.moved_on:
            out.append("submit your work")
        if self.given < self.owed:
            out.append(f"review {self.owed - self.given} more peer submission(s)")
        if rate_feedback and self.rated < self.received:
            out.append(f"rate the helpfulness of {self.received - self.rated} review(s)")
        return out


def standings(activity: Activity, people: Iterable[Person] | None = None) -> list[Standing]:
    """Every learner's (or the given people's) standing.

    A learner's page asks for one person at every launch, so the reviews read are
    only theirs (given, and received on their work) and the other submissions
    are plain (id, author) rows; the dashboard asks for everyone."""
    if people is None:
        everyone = learners(activity)
        people = everyone
        n_learners = len(everyone)
        mine_only = None
    else:
        people = list(people)
        n_learners = subs.learner_count(activity)
        mine_only = {p.id for p in people}
    pool = db.session.execute(
        select(PeerReviewSubmission.id, PeerReviewSubmission.author_id)
        .where(PeerReviewSubmission.activity_id == activity.id)).all()
    owners = subs.members(activity)
    wanted = {p.id for p in people}
    own_ids = {sid for sid, pids in owners.items() if pids & wanted}
    own_rows = {s.id: s for s in db.session.scalars(select(PeerReviewSubmission).where(
        PeerReviewSubmission.id.in_(own_ids)))} if own_ids else {}
    by_person = {pid: own_rows[sid] for sid, pids in owners.items() for pid in pids
                 if sid in own_rows}
    review_rows = select(PeerReviewReview.reviewer_id, PeerReviewReview.submission_id,
                         PeerReviewReview.status, PeerReviewReview.lease_until,
                         PeerReviewReview.helpfulness).where(
        PeerReviewReview.activity_id == activity.id)
    if mine_only is not None:
        review_rows = review_rows.where(or_(PeerReviewReview.reviewer_id.in_(mine_only),
                                            PeerReviewReview.submission_id.in_(own_ids)))
    reviews = db.session.execute(review_rows).all()
    progress_rows = select(PeerReviewProgress).where(
        PeerReviewProgress.activity_id == activity.id)
    if mine_only is not None:
        progress_rows = progress_rows.where(PeerReviewProgress.person_id.in_(mine_only))
    progress = {p.person_id: p for p in db.session.scalars(progress_rows)}
    now = utcnow()
    owed = rv.quota(activity, subs.unit_count(activity))
    blocked = rv.must_not_review(activity)
    grouped = groups.grouped_people(activity) if groups.group_mode(activity) else None
    given_by: dict[int, list[Any]] = {}
    received_on: dict[int, list[Any]] = {}
    for r in reviews:
        given_by.setdefault(r.reviewer_id, []).append(r)
        received_on.setdefault(r.submission_id, []).append(r)
    out = []
    for person in people:
        own = by_person.get(person.id)
        st = Standing(person, own, progress=progress.get(person.id))
        st.no_group = grouped is not None and own is None and person.id not in grouped
        st.owed = owed
        # A submission can only be reviewed by learners whose submission it is not.
        outsiders = n_learners - len(owners.get(own.id, ())) if own is not None else 0
        st.expected = max(0, min(rv.k_of(activity), outsiders)) if own is not None else 0
        for r in given_by.get(person.id, ()):
            if r.status == DONE:
                st.given += 1
            elif rv.is_live(r, now):
                st.leased += 1
            else:
                st.expired += 1
        if own is not None:
            for r in received_on.get(own.id, ()):
                if r.status == DONE:
                    st.received += 1
                    st.rated += 1 if r.helpfulness is not None else 0
        st.late = own is not None and phases.is_late(activity.settings, own.submitted_at)
        late_parts = []
        if own is None and phases.overdue(activity.settings, phases.SUBMISSION, now):
            late_parts.append("submission")
        if st.given < st.owed and phases.overdue(activity.settings, phases.REVIEW, now):
            late_parts.append(f"{st.owed - st.given} review(s)")
        if activity.settings.get("rate_feedback", True) and st.rated < st.received \
                and phases.overdue(activity.settings, phases.FEEDBACK, now):
            late_parts.append("feedback ratings")
        st.overdue = tuple(late_parts)
        seen = {r.submission_id for r in given_by.get(person.id, ())}
        st.no_work = all(sid in seen or person.id in owners.get(sid, {author})
                         or (str(person.id), str(author)) in blocked
                         or (str(author), str(person.id)) in blocked for sid, author in pool)
        out.append(st)
    return out


def _progress_row(activity: Activity, person: Person) -> PeerReviewProgress:
    row = db.session.scalar(select(PeerReviewProgress).where(
        PeerReviewProgress.activity_id == activity.id, PeerReviewProgress.person_id == person.id))
    if row is None:
        row = PeerReviewProgress(activity_id=activity.id, person_id=person.id)
        db.session.add(row)
        db.session.flush()
    return row


def _complete(activity: Activity, person: Person, comment: str) -> bool:
    row = _progress_row(activity, person)
    if row.completed_at is not None:
        return False
    row.completed_at = utcnow()
    db.session.flush()
    if activity.course_id is not None:
        grades.record_score(grades.line_item_for(activity, "completion"), person,
                            score_given=100, score_maximum=100, comment=comment)
    log.info("peer review %s: %s complete, score queued", activity.public_id, person.public_id)
    return True


def _nothing_left(activity: Activity, st: Standing, pool: list[Any]) -> bool:
    """Once reviews have closed: no submission below k is open to this learner
    (so the reviews they still owe are ones nobody can give them)."""
    if st.leased:
        return False
    k = rv.k_of(activity)
    blocked = rv.must_not_review(activity)
    me = str(st.person.id)
    mine = set(rv.reviewed_by(activity, st.person))
    return not any(s.completed + s.in_progress < k and me not in s.authors
                   and s.id not in mine
                   and not any((me, a) in blocked or (a, me) in blocked for a in s.authors)
                   for s in pool)


def check_completion(activity: Activity, people: Iterable[Person]) -> list[Person]:
    """Complete whoever among ``people`` has now done their part, which depends
    only on what they control: submitted, given the reviews they owe (or, once
    reviews have closed, every review still open to them) and, if the phase is on,
    rated the feedback they received. Waiting for reviews of their own work never
    holds them back. Queues one completion score per learner, ever."""
    rate = bool(activity.settings.get("rate_feedback", True))
    done = []
    pool: list[Any] | None = None
    for st in standings(activity, people):
        if st.completed or not grades.is_gradable(st.person, activity.course_id or 0):
            continue
        if st.submission is None:
            continue
        if st.given < st.owed:
            if not phases.overdue(activity.settings, phases.REVIEW, utcnow()):
                continue
            if pool is None:
                pool = rv.pool_states(activity, utcnow())
            if not _nothing_left(activity, st, pool):
                continue
        if rate and st.rated < st.received:
            continue
        if _complete(activity, st.person, COMPLETION_COMMENT):
            done.append(st.person)
    return done


def move_on(activity: Activity, person: Person, by: Person, reason: str) -> None:
    """An instructor moves a stuck learner on: they count as complete (score queued
    once) and may review without a submission of their own."""
    reason = reason.strip()
    if not reason:
        raise PeerReviewError("Give a reason for moving this learner on.")
    row = _progress_row(activity, person)
    row.moved_on_at = utcnow()
    row.moved_on_reason = reason[:2000]
    _complete(activity, person, "Peer assessment: moved on by the instructor.")
    log.info("peer review %s: %s moved on by %s", activity.public_id, person.public_id,
             by.public_id)


# -- grades ------------------------------------------------------------------------------


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
        if SUBMISSION_GRADE in self.overrides or self.submission is None \
                or self.submission.grade is None:
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
        return (f"Your grade rests on {n} review{'s' if n != 1 else ''}, not {self.k}: not "
                "enough of your peers could review your work. Your instructor can see this "
                "and may review it or adjust the grade.")

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
    rows = subs.criteria(activity)
    rubric = subs.rubric_of(rows)
    m = rubric.max_total
    pool = subs.submissions(activity)
    done = [r for r in rv.reviews_of(activity) if r.status == DONE and r.total is not None]
    ratings = [Rating(str(r.reviewer_id), str(r.submission_id), min(m, float(r.total or 0)))
               for r in done]
    options = GradingOptions(max_score=m, method=activity.settings.get("method", "mean"),
                             accuracy_weighting=bool(activity.settings.get(
                                 "accuracy_weighting", False)))
    by_sub = submission_grades(ratings, options, submissions=[str(s.id) for s in pool])
    people = learners(activity)
    st = {s.person.id: s for s in standings(activity, people)}
    assigned = {str(pid): s.owed for pid, s in st.items()}
    helpful = [(str(r.reviewer_id), int(r.helpfulness)) for r in done
               if r.helpfulness is not None]
    by_rev = reviewing_grades(ratings, max_score=m, assigned=assigned, helpfulness=helpful)
    overrides: dict[int, dict[str, PeerReviewOverride]] = {}
    for o in db.session.scalars(select(PeerReviewOverride).where(
            PeerReviewOverride.activity_id == activity.id)):
        overrides.setdefault(o.person_id, {})[o.kind] = o
    # Every member of a group submission gets its grade.
    own = {pid: str(sid) for sid, pids in subs.members(activity).items() for pid in pids}
    accepted = {str(s.id) for s in pool if s.fewer_accepted_at is not None}
    k = rv.k_of(activity)
    out = [GradeRow(p, by_sub.get(own.get(p.id, "")), by_rev.get(str(p.id)),
                    overrides.get(p.id, {}), k, own.get(p.id, "") in accepted)
           for p in people]
    names = {str(p.id): p.display_name for p in people}
    flags = reviewer_flags(ratings, max_score=m)
    alpha = krippendorff_alpha([(r.reviewer, r.submission, r.score) for r in ratings],
                               level="interval")
    return GradeReport(out, flags, alpha.alpha, f"{alpha.interpretation()}: {alpha.reason}", m,
                       options.method, names)


def override_grade(activity: Activity, person: Person, by: Person, *, kind: str,
                   percent: float, reason: str) -> PeerReviewOverride:
    """Replace a computed grade with the instructor's, with the reason kept."""
    if kind not in (SUBMISSION_GRADE, REVIEWING_GRADE):
        raise PeerReviewError("Choose the submission grade or the reviewing grade.")
    if not 0 <= percent <= 100:
        raise PeerReviewError("A grade is a percentage from 0 to 100.")
    if not reason.strip():
        raise PeerReviewError("Give a reason for overriding the grade.")
    row = db.session.scalar(select(PeerReviewOverride).where(
        PeerReviewOverride.activity_id == activity.id, PeerReviewOverride.person_id == person.id,
        PeerReviewOverride.kind == kind))
    if row is None:
        row = PeerReviewOverride(activity_id=activity.id, person_id=person.id, kind=kind)
        db.session.add(row)
    row.percent = percent
    row.reason = reason.strip()[:2000]
    row.by_id = by.id
    db.session.flush()
    log.info("peer review %s: %s grade of %s overridden by %s", activity.public_id, kind,
             person.public_id, by.public_id)
    resend_after_override(activity, person, kind)
    return row


def gradebook_comment(activity: Activity, row: GradeRow, kind: str, *,
                      asked: int | None = None) -> str:
    """What the learner reads beside this grade in the LMS, in plain words ("Average
    of 3 peer reviews: 78%."); the formula stays on the staff explanation page.
    ``asked``: the reviews each learner owes (computed when not given)."""
    percent = row.percent(kind)
    if kind in row.overrides or percent is None:
        return comments.OVERRIDDEN
    if kind == SUBMISSION_GRADE:
        n = row.submission.n_ratings if row.submission is not None else 0
        return comments.submission_comment(
            n, percent / 100, method=str(activity.settings.get("method", "mean")),
            weighted=bool(activity.settings.get("accuracy_weighting", False)))
    r = row.reviewing
    if asked is None:
        asked = rv.quota(activity, subs.unit_count(activity))
    written = round(r.completion * asked) if r is not None and r.completion is not None else None
    return comments.reviewing_comment(
        percent / 100, written=written, asked=asked if written is not None else None,
        accuracy=r.accuracy if r is not None else None,
        stars=1 + 4 * r.helpfulness if r is not None and r.helpfulness is not None else None)


def _send(activity: Activity, row: GradeRow, kind: str, line_item: LineItem) -> bool:
    percent = row.percent(kind)
    if percent is None:
        return False
    return grades.record_score(line_item, row.person, score_given=percent, score_maximum=100,
                               comment=gradebook_comment(activity, row, kind)) is not None


def publish_grades(activity: Activity) -> int:
    """Queue every learner's submission and reviewing grade (override first) to the
    gradebook, each with its explanation as the comment; unchanged scores are not
    sent again. Returns how many scores were queued or kept.

    Side effects: line items made on first use; scores in the outbox.
    """
    report = grade_report(activity)
    items = {kind: grades.line_item_for(activity, kind)
             for kind in (SUBMISSION_GRADE, REVIEWING_GRADE)}
    sent = sum(_send(activity, row, kind, item) for row in report.rows
               for kind, item in items.items())
    log.info("peer review %s: %d grade(s) queued to the gradebook", activity.public_id, sent)
    return sent


def resend_after_override(activity: Activity, person: Person, kind: str) -> None:
    """Once grades are published (the line item exists), an override goes out too."""
    item = db.session.scalar(select(LineItem).where(LineItem.activity_id == activity.id,
                                                    LineItem.kind == kind))
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
    criterion's points and comment, total, overall comment, helpfulness."""
    rows = subs.criteria(activity)
    owners = subs.members(activity)
    names = {p.id: p.display_name for p in db.session.scalars(
        select(Person).where(Person.id.in_({pid for pids in owners.values() for pid in pids})))}
    out = io.StringIO()
    writer = csv.writer(out)
    flags = {row.person.id: row.short_flag() for row in grade_report(activity).rows}
    writer.writerow(["author", "reviewer", "status",
                     *[h for c in rows for h in (c.name, f"{c.name} comment")], "total",
                     "comment", "helpfulness", "helpfulness comment", "completed at",
                     "grade flag"])
    for r in rv.reviews_of(activity):
        others = sorted(names.get(pid, "") for pid in owners.get(r.submission_id, ())
                        if pid != r.author_id)
        author = "; ".join([names.get(r.author_id, ""), *others])
        notes = r.criterion_comments or {}
        writer.writerow([_cell(x) for x in (
            author, r.reviewer.display_name, r.status,
            *[x for c in rows for x in (r.scores.get(c.public_id, ""),
                                        plain(notes.get(c.public_id, "")))],
            r.total, plain(r.comment), r.helpfulness or "", plain(r.helpfulness_comment),
            r.completed_at.isoformat(timespec="seconds") if r.completed_at else "",
            flags.get(r.author_id, ""))])
    return out.getvalue()
