"""Transfer figures on the instructor's page, checked against the raw CSV."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import datetime

from tests.journal.support import ASHA, BRUNO, CARLA, DEV
from tests.support.lti import INSTRUCTOR


def _page_figures(page: str) -> dict[int, dict[str, str]]:
    rows = {}
    for day, body in re.findall(r'<tr data-day="(\d+)">(.*?)</tr>', page, re.S):
        cells = dict(re.findall(r"<t[dh][^>]*data-(\w+)>(.*?)</t[dh]>", body, re.S))
        rows[int(day)] = {k: " ".join(v.split()) for k, v in cells.items()}
    return rows


def _recompute(csv_text: str) -> dict[int, dict[str, str]]:
    """The figures, from the raw answers alone (as an analyst would)."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    checkins: dict[str, dict[str, str]] = {}
    items: dict[int, list[str]] = {}
    for row in rows:
        checkins[row["checkin_id"]] = row
        if row["status"] == "answered" and row["item_id"]:
            items.setdefault(int(row["day"]), []).append(row["applied"])
    result: dict[int, dict[str, str]] = {}
    now = "2026-05-05"
    for day in sorted({int(c["day"]) for c in checkins.values()}):
        mine = [c for c in checkins.values() if int(c["day"]) == day]
        due = [
            c
            for c in mine
            if c["status"] == "answered" or (c["status"] == "pending" and c["due_on"] <= now)
        ]
        answered = [c for c in due if c["status"] == "answered"]
        applied = items.get(day, [])
        barriers = Counter(b for c in answered for b in c["barriers"].split("; ") if b)
        top = sorted(barriers.items(), key=lambda kv: (-kv[1], kv[0]))[:3]

        def pct(n: int, d: int) -> str:
            return "—" if not d else f"{round(100.0 * n / d, 1)}%"

        confidences = [int(c["confidence"]) for c in answered]
        result[day] = {
            "due": str(len(due)),
            "answered": str(len(answered)),
            "rate": pct(len(answered), len(due)),
            "tried": pct(applied.count("tried"), len(applied)),
            "regular": pct(applied.count("regular"), len(applied)),
            "barriers": "; ".join(f"{b} ({n})" for b, n in top) or "—",
            "shared": str(sum(1 for c in answered if c["share_with"])),
            "confidence": (
                str(round(sum(confidences) / len(confidences), 2)) if confidences else "—"
            ),
        }
    return result


def test_transfer_figures_match_the_raw_answers(jd, clock) -> None:
    jd.setup()
    people = {u.sub: jd.join(u) for u in (ASHA, BRUNO, CARLA, DEV)}
    for user in (ASHA, BRUNO, CARLA, DEV):
        jd.complete(people[user.sub])
    jd.add_item(people[ASHA.sub], "Delegate the weekly report")
    asha_items = jd.items(ASHA)

    def answer(user, day, applied, **kw):
        checkin = next(c for c in jd.checkins(user) if c.day == day)
        resp = jd.answer(jd.join(user), checkin.public_id, applied, **kw)
        assert resp.status_code == 303, resp.get_data(as_text=True)

    clock.set(datetime(2026, 4, 3, 10))
    answer(
        ASHA,
        30,
        {asha_items[0]: "tried", asha_items[1]: "regular"},
        barriers=("Not enough time", "Priorities changed"),
        share_with=("My team",),
        confidence=4,
    )
    answer(BRUNO, 30, {jd.items(BRUNO)[0]: "not_yet"}, barriers=("Not enough time",), confidence=2)
    answer(
        DEV,
        30,
        {jd.items(DEV)[0]: "regular"},
        share_with=("My manager", "My team"),
        share_how='=HYPERLINK("http://evil")',
        confidence=5,
    )
    clock.set(datetime(2026, 5, 5, 10))
    answer(ASHA, 60, {asha_items[0]: "regular", asha_items[1]: "regular"}, confidence=5)

    staff = jd.enter(INSTRUCTOR)
    shown = _page_figures(jd.page(staff))
    assert shown[30] == {
        "due": "4",
        "answered": "3",
        "rate": "75.0%",
        "tried": "25.0%",
        "regular": "50.0%",
        "barriers": "Not enough time (2); Priorities changed (1)",
        "shared": "2",
        "confidence": "3.67",
    }
    assert shown[60]["due"] == "4" and shown[60]["answered"] == "1"
    assert shown[60]["rate"] == "25.0%" and shown[60]["regular"] == "100.0%"
    assert shown[90]["due"] == "0" and shown[90]["rate"] == "—"

    resp = jd.get(staff, "answers.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert _recompute(text) == shown
    # Learners appear by opaque id only; spreadsheet formulas are defused.
    assert "Asha" not in text and "acme.test" not in text
    assert "'=HYPERLINK" in text
