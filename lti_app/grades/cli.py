"""``flask --app lti_app grades …``: the score outbox from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from lti_app.courses.cli import find_course
from lti_app.extensions import db
from lti_app.grades import delivery, panel
from lti_app.grades.models import FAILED, Score

grades_cli = AppGroup("grades", help="Scores on their way to LMS gradebooks (AGS).")


@grades_cli.command("status")
def grades_status() -> None:
    """How many scores are sent, waiting and failed, and the commonest failures."""
    counts = dict(
        db.session.execute(select(Score.status, func.count()).group_by(Score.status)).all()
    )
    click.echo(" ".join(f"{k}={counts.get(k, 0)}" for k in ("sent", "pending", "failed")))
    for reason, n in db.session.execute(
        select(Score.last_error, func.count())
        .where(Score.last_error.is_not(None))
        .group_by(Score.last_error)
        .order_by(func.count().desc())
        .limit(10)
    ):
        click.echo(f"  {n:6d} × {reason}")


@grades_cli.command("retry")
@click.option("--course", "course_key", default=None, help="Only this course (public id).")
@click.option("--failed-only", is_flag=True, help="Leave waiting scores on their schedule.")
def grades_retry(course_key: str | None, failed_only: bool) -> None:
    """Send failed (and waiting) scores again now."""
    course = None
    if course_key:
        course = find_course(course_key)
    outcome = panel.retry_scores(course=course, include_pending=not failed_only)
    db.session.commit()
    click.echo(f"{outcome.queued} score(s) queued again")
    if outcome.already_delivered:
        click.echo(
            f"{outcome.already_delivered} failed score(s) were already in the LMS: "
            "marked sent, not sent again"
        )


@grades_cli.command("deliver")
@click.option("--seconds", default=50.0, show_default=True, help="Stop after this long.")
def grades_deliver(seconds: float) -> None:
    """Deliver due scores from this process (what a worker does)."""
    report, more = delivery.drain(max_seconds=seconds)
    db.session.commit()
    click.echo(
        f"sent={report.sent} retrying={report.retrying} failed={report.failed} "
        f"token_requests={report.token_requests}" + (" (more are due)" if more else "")
    )
    failed = db.session.scalar(select(func.count()).where(Score.status == FAILED))
    if failed:
        click.echo(f"{failed} score(s) have failed; see `flask grades status`")
