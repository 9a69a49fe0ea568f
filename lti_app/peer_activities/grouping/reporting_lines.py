"""Reporting lines imported by instructors from a CSV file (large cohorts).

Side effects: inserts/updates rows and flushes; the request (or CLI command) commits.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingReportingLine
from lti_app.peer_activities.grouping.people import (
    RosterIndex,
    external_id,
    normalise,
    reference,
    roster,
)
from lti_app.peer_activities.grouping.schemas import clean_text

log = logging.getLogger(__name__)

#: Largest reporting-lines CSV an instructor may upload.
MAX_CSV_BYTES = 512 * 1024
MAX_CSV_ROWS = 5000


@dataclass
class ImportReport:
    imported: int = 0
    #: Lines whose manager is not on the roster (kept under an external id).
    external_managers: int = 0
    #: Lines about someone not on the roster whose manager is (kept: a skip-level link).
    chain_links: int = 0
    #: (line number, the row as written, why it was not imported).
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    error: str = ""


class CsvError(ValueError):
    pass


def read_csv(raw: bytes) -> list[tuple[int, list[str]]]:
    """The non-empty rows of an uploaded CSV, with line numbers; a header row
    (first cell naming an email/name/person column) is dropped."""
    if len(raw) > MAX_CSV_BYTES:
        raise CsvError(
            f"The file is larger than {MAX_CSV_BYTES // 1024} KB; split it into smaller files."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CsvError("The file is not text. Save it as CSV (UTF-8) and try again.") from exc
    if "\x00" in text:
        raise CsvError("The file is not text. Save it as CSV (UTF-8) and try again.")
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            cells = [clean_text(c)[:255] for c in row]
            if not any(cells):
                continue
            if not rows and number == 1 and _is_header(cells):
                continue
            rows.append((number, cells))
            if len(rows) > MAX_CSV_ROWS:
                raise CsvError(
                    f"The file has more than {MAX_CSV_ROWS} rows; split it into smaller files."
                )
    except csv.Error as exc:
        raise CsvError(f"The file could not be read as CSV ({exc}).") from exc
    return rows


def _is_header(cells: list[str]) -> bool:
    first = normalise(cells[0])
    return any(word in first for word in ("email", "name", "person", "learner", "employee"))


def import_reporting_lines(course: Course, raw: bytes) -> ImportReport:
    """Import ``person,manager`` rows (email or exact name each side).

    * person and manager on the roster → a line between them;
    * manager not on the roster → kept as ``ext:<email or name>`` (two people
      reporting to the same outsider are still recognised as peers);
    * person not on the roster but their manager is → kept as a link in the chain
      (so a skip-level manager through them is seen);
    * anything else (nothing matched, a name matching several people, a blank
      side, a person reporting to themself) is reported, not imported.
    A later row for the same person replaces an earlier one, and an imported line
    replaces that person's earlier imported line.
    """
    report = ImportReport()
    try:
        rows = read_csv(raw)
    except CsvError as exc:
        report.error = str(exc)
        return report
    index = RosterIndex(roster(course))
    existing = {
        line.subject_key: line
        for line in db.session.scalars(
            select(GroupingReportingLine).where(GroupingReportingLine.course_id == course.id)
        )
    }
    for number, cells in rows:
        shown = ", ".join(cells)[:300]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            report.skipped.append((number, shown, "it needs a person and who they report to"))
            continue
        subject_ref, manager_ref = reference(cells[0]), reference(cells[1])
        subject, subjects = index.find(subject_ref)
        manager, managers = index.find(manager_ref)
        if subjects > 1 or managers > 1:
            which = cells[0] if subjects > 1 else cells[1]
            report.skipped.append(
                (
                    number,
                    shown,
                    f"several people in the course are called '{which}': use their email instead",
                )
            )
            continue
        if subject is None and manager is None:
            report.skipped.append((number, shown, "neither person is in the course"))
            continue
        subject_key = subject.public_id if subject else external_id(subject_ref)
        manager_key = manager.public_id if manager else external_id(manager_ref)
        if subject_key == manager_key:
            report.skipped.append((number, shown, "a person cannot report to themself"))
            continue
        line = existing.get(subject_key)
        if line is None:
            line = existing[subject_key] = GroupingReportingLine(
                course_id=course.id, subject_key=subject_key
            )
            db.session.add(line)
        line.manager_key = manager_key
        line.subject_label = cells[0]
        line.manager_label = cells[1]
        report.imported += 1
        if manager is None:
            report.external_managers += 1
        if subject is None:
            report.chain_links += 1
    db.session.flush()
    log.info(
        "reporting lines imported course=%s imported=%d skipped=%d",
        course.public_id,
        report.imported,
        len(report.skipped),
    )
    return report


def imported_line_count(course: Course) -> int:
    count: int = (
        db.session.scalar(
            select(func.count(GroupingReportingLine.id)).where(
                GroupingReportingLine.course_id == course.id
            )
        )
        or 0
    )
    return count
