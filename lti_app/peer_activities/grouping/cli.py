"""``flask --app lti_app grouping …``: grouping tasks for administrators."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.peer_activities.grouping import reporting_lines

grouping_cli = AppGroup("grouping", help="Intake, reporting lines and groups.")


@grouping_cli.command("import-reporting")
@click.argument("course_public_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_reporting(course_public_id: str, file: Path) -> None:
    """Import reporting lines for a course from a CSV of ``person,reports_to`` rows
    (each an email or an exact name; a header row is optional)."""
    course = db.session.scalar(select(Course).where(Course.public_id == course_public_id))
    if course is None:
        raise click.ClickException(f"no course with public id {course_public_id!r}")
    with file.open("rb") as fh:
        raw = fh.read(reporting_lines.MAX_CSV_BYTES + 1)
    report = reporting_lines.import_reporting_lines(course, raw)
    if report.error:
        db.session.rollback()
        raise click.ClickException(report.error)
    db.session.commit()
    click.echo(
        f"{report.imported} reporting lines imported into "
        f"{course.title or course.label or course.public_id}"
        f" ({report.external_managers} with a manager outside the course, "
        f"{report.chain_links} about people outside the course)."
    )
    for number, row, why in report.skipped:
        click.echo(f"line {number} not imported: {row} — {why}", err=True)
