"""``flask --app lti_app roster …``: sync and inspect course rosters."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from lti_app.courses import roster
from lti_app.courses.models import Course, Enrolment
from lti_app.extensions import db
from lti_app.lms.service_http import ServiceError

roster_cli = AppGroup("roster", help="Course rosters from the LMS (NRPS).")


def find_course(key: str) -> Course:
    """A course by its public id, or by its LMS context id when that is unambiguous."""
    course: Course | None = db.session.scalar(select(Course).where(Course.public_id == key))
    if course is not None:
        return course
    matches = list(db.session.scalars(select(Course).where(Course.context_id == key).limit(2)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.ClickException(
            f"context id {key!r} exists on several platforms; "
            "use the course's public id (see `roster list`)"
        )
    raise click.ClickException(f"no course {key!r}")


@roster_cli.command("list")
def roster_list() -> None:
    """Courses with their last roster sync."""
    counts = dict(
        db.session.execute(
            select(Enrolment.course_id, func.count())
            .where(Enrolment.status == "active")
            .group_by(Enrolment.course_id)
        ).all()
    )
    for course in db.session.scalars(select(Course).order_by(Course.id)):
        synced = (
            course.roster_synced_at.isoformat(timespec="seconds")
            if course.roster_synced_at
            else "never"
        )
        click.echo(
            f"{course.public_id}  {course.context_id!r:24} {course.title[:40]!r:42} "
            f"active={counts.get(course.id, 0)} synced={synced} "
            f"status={course.roster_sync_status or '-'}"
        )


@roster_cli.command("sync")
@click.argument("course_key")
def roster_sync(course_key: str) -> None:
    """Read COURSE's roster from the LMS now (public id or context id)."""
    course = find_course(course_key)
    try:
        report = roster.sync_roster(course.id)
    except roster.RosterUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    except ServiceError as exc:
        raise click.ClickException(f"sync failed: {exc.reason}") from exc
    click.echo(
        f"synced {course.public_id}: {report.members} members, {report.added} new, "
        f"{report.left} left, {report.rejected} skipped, {report.pages} pages"
    )
