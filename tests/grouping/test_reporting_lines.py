"""Reporting lines imported by CSV (upload and CLI) and how matching honours them."""

from __future__ import annotations

import html
import io

from sqlalchemy import select

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingReportingLine
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV
from tests.support.lti import INSTRUCTOR

CSV = (
    "email_or_name,reports_to_email_or_name\n"
    "asha@acme.test,bruno@acme.test\n"  # both on the roster
    "Carla Gomez,Big Boss <boss@elsewhere.test>\n"  # manager outside the course
    "nobody@nowhere.test,ghost@nowhere.test\n"  # matched nothing
    "dev@acme.test,\n"  # no manager given
    "outsider@acme.test,Dev Sharma\n"  # a link in the chain above Dev
)


def _upload(grouping, staff, content: bytes, name: str = "lines.csv"):
    resp = grouping.client.post(
        f"/g/{grouping.activity}/reporting-lines",
        data={"t": staff.token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    resp.get_data()
    # The test client spools big bodies to a temporary file and leaves it open.
    resp.request.environ["wsgi.input"].close()
    return resp


def _lines(app) -> dict[str, str]:
    with app.app_context():
        return {
            r.subject_label: r.manager_key
            for r in db.session.scalars(select(GroupingReportingLine))
        }


def test_csv_import_matches_the_roster_and_reports_unmatched_rows(grouping, app) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA, DEV):
        grouping.ready(user)
    resp = _upload(grouping, staff, CSV.encode())
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200
    assert "<strong>3</strong> reporting lines imported" in body
    assert "1 with a manager outside the course" in body
    assert "1 about people outside the course whose manager is in it" in body
    assert "Rows not imported (2)" in body
    assert "neither person is in the course" in body and "nobody@nowhere.test" in body
    assert "it needs a person and who they report to" in body
    lines = _lines(app)
    assert lines["asha@acme.test"] == grouping.person_id(BRUNO)
    assert lines["Carla Gomez"] == "ext:boss@elsewhere.test"
    assert lines["outsider@acme.test"] == grouping.person_id(DEV)
    assert "3 imported" in grouping.page(staff)

    # The imported line keeps Asha away from Bruno whatever they answered themselves.
    for _ in range(3):
        assert grouping.form_groups(staff).status_code == 303
        assert not any({"Asha Patel", "Bruno Silva"} <= set(g) for g in grouping.groups())


def test_a_later_import_replaces_a_person_line(grouping, app) -> None:
    grouping.create_activity("role_play", group_size="2")
    staff = grouping.enter(INSTRUCTOR)
    for user in (ASHA, BRUNO, CARLA):
        grouping.enter(user)
    _upload(grouping, staff, b"asha@acme.test;bruno@acme.test\n")
    _upload(grouping, staff, b"Asha Patel;Carla Gomez\n")
    assert _lines(app) == {"Asha Patel": grouping.person_id(CARLA)}


def test_bad_files_get_a_readable_error(grouping) -> None:
    grouping.create_activity("role_play")
    staff = grouping.enter(INSTRUCTOR)
    binary = _upload(grouping, staff, b"\x00\x01\x02PK\x03\x04" * 10, "sheet.xlsx")
    assert binary.status_code == 422
    assert "The file is not text" in binary.get_data(as_text=True)
    big = _upload(grouping, staff, b"a@b.test,c@d.test\n" * 40_000)
    assert big.status_code == 422 and "larger than 512 KB" in big.get_data(as_text=True)
    huge = _upload(grouping, staff, b"a@b.test,c@d.test\n" * 150_000)
    assert huge.status_code == 413 and "too large" in huge.get_data(as_text=True)
    missing = grouping.client.post(
        f"/g/{grouping.activity}/reporting-lines", data={"t": staff.token}
    )
    assert missing.status_code == 422
    assert "Choose a CSV file" in missing.get_data(as_text=True)


def test_cli_imports_reporting_lines_for_a_course(grouping, app, tmp_path) -> None:
    grouping.create_activity("role_play")
    for user in (ASHA, BRUNO, CARLA, DEV):
        grouping.enter(user)
    path = tmp_path / "lines.csv"
    path.write_text(CSV)
    with app.app_context():
        course_id = db.session.scalar(select(Course.public_id))
    result = app.test_cli_runner().invoke(
        args=["grouping", "import-reporting", course_id, str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "3 reporting lines imported" in result.output
    assert "line 4 not imported" in result.output
    assert _lines(app)["asha@acme.test"] == grouping.person_id(BRUNO)
    unknown = app.test_cli_runner().invoke(args=["grouping", "import-reporting", "nope", str(path)])
    assert unknown.exit_code != 0 and "no course" in unknown.output
