"""The sponsor report as a one-page A4 PDF: the same headline figures and evidence
ladder as the printable page, staff only, scoped like the page, and safe with
whatever a course is called."""

from __future__ import annotations

import html
import re

import pytest

from tests.analytics.support import ANA, BEN, CHLOE
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from

#: (learner, pre right, post right) out of 4.
RUNS = ((ANA, 1, 3), (BEN, 2, 4), (CHLOE, 0, 2))


@pytest.fixture
def cohort(an):
    an.setup()
    an.add_knowledge(4)
    for user, pre, _ in RUNS:
        assert an.check(user, "pre", pre).status_code == 303
    an.open_post()
    for user, _, post in RUNS:
        assert an.check(user, "post", post).status_code == 303
    for user, rating in ((ANA, 10), (BEN, 9), (CHLOE, 4)):
        assert an.feedback(user, rating, relevance="4").status_code == 303
    return an


def _pdf(an, which: str = "course", token: str | None = None) -> bytes:
    resp = an.client.get(f"/an/{which}/report.pdf", query_string={"t": token or an.staff.token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/pdf"
    assert (
        resp.headers["Content-Disposition"]
        == f'attachment; filename="peerlift-sponsor-report-{which}.pdf"'
    )
    assert resp.headers["Cache-Control"] == "no-store"
    return resp.get_data()


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def _text(data: bytes) -> str:
    """The shown text of the (uncompressed) page: every string drawn, joined."""
    shown = re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data)

    def unescape(raw: bytes) -> str:
        raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        raw = re.sub(rb"\\(.)", rb"\1", raw)
        return raw.decode("cp1252", "replace")

    return " ".join(" ".join(unescape(s) for s in shown).split())


def _html_report(an, which: str = "course") -> str:
    resp = an.client.get(f"/an/{which}/report", query_string={"t": an.staff.token})
    assert resp.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", "", html.unescape(resp.get_data(as_text=True))).split())


def test_the_pdf_is_one_a4_page_with_the_figures_of_the_html_report(cohort) -> None:
    an = cohort
    data = _pdf(an)
    assert data.startswith(b"%PDF-")
    assert _pages(data) == 1
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4
    text = _text(data)
    page = _html_report(an)
    # c per learner: (3-1)/(4-1) = .667, (4-2)/(4-2) = 1, (2-0)/4 = .5 → mean +0.72
    for figure in (
        "+0.72",
        "n paired = 3 of 3",
        "25% to 75%",
        "+33",
        "NPS (n = 3)",
        "learners enrolled",
    ):
        assert figure in text, (figure, text)
    assert "+0.72 mean normalised change" in page and "NPS (n = 3)" in page
    assert re.search(r"<\s*g\s*>\s*= 0\.67", text), text
    assert "⟨g⟩ = 0.67" in page  # Hake: (75-25)/(100-25)
    assert "needs 10+ pairs" in text  # effect sizes hidden below 10 pairs, as on the page
    # The evidence ladder, every level with yes/no and what is behind it.
    for rung in (
        "Business results",
        "Behaviour at work",
        "Learning (knowledge)",
        "3 learners with a pre- and a post-check",
        "3 feedback survey responses",
        "not measured by Peerlift",
    ):
        assert rung in text, rung
    assert "Marx & Cummings" in text  # the definitions footnote
    assert ANA.name not in text  # a sponsor report names no learner


def test_the_programme_pdf_is_titled_all_courses_with_the_platform(cohort) -> None:
    text = _text(_pdf(cohort, "programme"))
    assert "Peer learning programme: All courses" in text
    assert "deployment" in text and "n paired = 3 of 3" in text


def test_dashboard_and_html_report_link_the_pdf(cohort) -> None:
    an = cohort
    for path in ("/an/course", "/an/course/report", "/an/programme"):
        page = html.unescape(
            an.client.get(path, query_string={"t": an.staff.token}).get_data(as_text=True)
        )
        assert "Download PDF" in page and "/report.pdf?t=" in page, path


def test_learners_cannot_download_the_pdf(cohort) -> None:
    an = cohort
    visit = an.visits[ANA.sub]
    for which in ("course", "programme"):
        assert an.get(visit, f"{which}/report.pdf").status_code in (403, 404)


def test_another_platforms_staff_get_only_their_own_courses(cohort, app, platform_server) -> None:
    from lti_app.extensions import db
    from lti_app.sandbox.platform import SandboxPlatform
    from tests.conftest import register_platform

    an = cohort
    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    token = token_from(
        LtiDriver(app.test_client(), twin)
        .launch(INSTRUCTOR, resource_link={"id": "checks-link"})
        .headers["Content-Location"]
    )
    for which in ("course", "programme"):
        text = _text(_pdf(an, which, token))
        assert "Second customer" in text
        assert "n paired = 0 of 0" in text and "0 learners enrolled" in text, which


def test_a_course_title_with_markup_is_shown_as_text(an) -> None:
    hostile = {
        "id": "hostile-course",
        "label": "R&D",
        "title": "R&D <script>alert(1)</script> & <b>co",
    }
    an.setup_activity("journal", link="checks-link", context=hostile)
    an.staff = an.enter(INSTRUCTOR)
    data = _pdf(an)
    assert _pages(data) == 1
    # (reportlab draws an escaped entity as a fragment of its own: compare without spaces)
    shown = "".join(_text(data).split())
    assert "Peerlearningprogramme:R&D<script>alert(1)</script>&<b>co" in shown


def test_transfer_response_rate_and_applied_by_day_match_the_html_report(cohort, app) -> None:
    """Check-ins seeded as the journal leaves them (its own tests drive how they come
    about): day 30 answered by two of three (Ana applied), day 60 by Ana of two."""
    from datetime import datetime

    from sqlalchemy import select

    from lti_app.courses.models import Person
    from lti_app.extensions import db
    from lti_app.peer_activities.journal.models import (
        JournalActionItem,
        JournalCheckin,
        JournalCheckinAnswer,
    )
    from lti_app.peer_activities.models import Activity

    an = cohort
    answers = {
        (ANA.sub, 30): "regular",
        (BEN.sub, 30): "not_yet",
        (CHLOE.sub, 30): None,
        (ANA.sub, 60): "tried",
        (BEN.sub, 60): None,
    }
    with app.app_context():
        activity_id = db.session.scalar(
            select(Activity.id).where(Activity.public_id == an.activity)
        )
        ids = {sub: pid for sub, pid in db.session.execute(select(Person.sub, Person.id))}
        for (sub, day), applied in answers.items():
            checkin = JournalCheckin(
                activity_id=activity_id,
                person_id=ids[sub],
                day=day,
                due_at=datetime(2026, 1, 1),
                status="answered" if applied else "pending",
                answered_at=datetime(2026, 1, 2) if applied else None,
            )
            db.session.add(checkin)
            if applied:
                item = JournalActionItem(
                    activity_id=activity_id, person_id=ids[sub], what="Ask before advising"
                )
                db.session.add(item)
                db.session.flush()
                db.session.add(
                    JournalCheckinAnswer(checkin_id=checkin.id, item_id=item.id, applied=applied)
                )
        db.session.commit()
    text = _text(_pdf(an))
    assert "Transfer check-ins" in text
    assert "day 30 3 2 67% 1" in text and "day 60 2 1 50% 1" in text, text
    assert "1 learners report applying it at work (of 3 with a check-in due" in text, text
    page = _html_report(an)
    assert (
        "day 30: 2 of 3 answered (67%), 1 applied; day 60: 1 of 2 answered (50%), "
        "1 applied." in page
    )
