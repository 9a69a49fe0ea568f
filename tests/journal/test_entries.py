"""Prompted entries: prompts, sanitising, tags, the privacy notice, sharing with
the group, and the action plan with its status history."""

from __future__ import annotations

from tests.journal.support import ASHA, BRUNO, entry_ids


def test_learner_writes_a_prompted_entry_and_is_told_instructors_can_read_it(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    page = jd.page(visit)
    assert "What? What happened" in page and "So what?" in page and "Now what?" in page
    assert "instructors of this course can read every entry" in page
    resp = jd.write(
        visit,
        "I chaired the <b>retro</b>.",
        "",
        "Ask first, then tell.",
        skills="Facilitation, Listening",
    )
    assert resp.status_code == 303
    page = jd.page(visit)
    assert "I chaired the" in page and "Ask first, then tell." in page
    assert "Facilitation" in page and "Private" in page


def test_entry_html_is_sanitised_on_save(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    jd.write(
        visit,
        '<p>Hello <script>alert("x")</script><a href="javascript:evil()">link</a>'
        "<img src=x onerror=alert(1)></p>",
    )
    raw = jd.client.get(f"/a/{jd.activity}", query_string={"t": visit.token}).get_data(as_text=True)
    assert "<script>alert" not in raw and "onerror" not in raw and "javascript:" not in raw
    assert "Hello" in raw


def test_an_empty_entry_is_refused(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    resp = jd.write(visit, "  ", "")
    assert resp.status_code == 422
    assert "Write something" in resp.get_data(as_text=True)


def test_instructor_edits_the_prompts(jd) -> None:
    staff = jd.setup()
    resp = jd.post(
        staff,
        "settings",
        prompts="What did you try?\nWhat surprised you?",
        checkin_days="30,60,90",
        anchor="completion",
        entries_required="1",
        completion="entries",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = jd.page(jd.join(ASHA))
    assert "What did you try?" in page and "What surprised you?" in page
    assert "So what? Why does it matter" not in page


def test_entry_tagged_with_a_course_activity_and_not_another_courses(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    ok = jd.write(visit, "About this journal itself", linked=jd.activity)
    assert ok.status_code == 303
    bad = jd.write(visit, "About nothing", linked="NoSuchActivity00")
    assert bad.status_code == 422
    assert "My journal" in jd.page(visit)


def test_author_edits_shares_and_deletes_their_entry(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    jd.write(visit, "First version")
    [entry] = entry_ids(jd.page(visit))
    assert jd.get(visit, f"entries/{entry}/edit").status_code == 200
    assert jd.post(visit, f"entries/{entry}", **{"response-0": "Second version"}).status_code == 303
    page = jd.page(visit)
    assert "Second version" in page and "First version" not in page
    assert jd.post(visit, f"entries/{entry}/share", shared="1").status_code == 303
    assert "Shared with your group" in jd.page(visit)
    assert jd.post(visit, f"entries/{entry}/delete").status_code == 303
    assert "Second version" not in jd.page(visit)


def test_another_learner_cannot_edit_share_or_delete_an_entry(jd) -> None:
    jd.setup()
    asha, bruno = jd.join(ASHA), jd.join(BRUNO)
    jd.write(asha, "Mine alone")
    [entry] = entry_ids(jd.page(asha))
    assert jd.get(bruno, f"entries/{entry}/edit").status_code == 404
    assert jd.post(bruno, f"entries/{entry}", **{"response-0": "Hijacked"}).status_code == 404
    assert jd.post(bruno, f"entries/{entry}/share", shared="1").status_code == 404
    assert jd.post(bruno, f"entries/{entry}/delete").status_code == 404
    assert "Mine alone" in jd.page(asha)


def test_action_plan_item_keeps_its_status_history(jd, clock) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    resp = jd.add_item(
        visit, "Run a weekly stand-up", by_when="2026-04-01", evidence="Fewer surprise escalations"
    )
    assert resp.status_code == 303
    [item] = jd.items(ASHA)
    clock.advance(days=3)
    assert (
        jd.post(
            visit, f"plan/{item}/status", status="started", note="First one went well"
        ).status_code
        == 303
    )
    clock.advance(days=10)
    assert jd.post(visit, f"plan/{item}/status", status="done").status_code == 303
    page = jd.page(visit)
    assert "Run a weekly stand-up" in page and "By 1 April 2026" in page
    assert "Fewer surprise escalations" in page
    assert "2 March 2026 (UTC): Planned" in page
    assert "5 March 2026 (UTC): Started — First one went well" in page
    assert "15 March 2026 (UTC): Done" in page


def test_action_plan_input_is_checked(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    assert jd.add_item(visit, "").status_code == 422
    assert jd.add_item(visit, "Something", by_when="next week").status_code == 422
    assert jd.items(ASHA) == []
    jd.add_item(visit, "Something")
    [item] = jd.items(ASHA)
    assert jd.post(visit, f"plan/{item}/status", status="exploded").status_code == 422
    assert (
        jd.post(
            visit,
            f"plan/{item}",
            what="Something better",
            by_when="2026-05-01",
            evidence="A number",
        ).status_code
        == 303
    )
    page = jd.page(visit)
    assert "Something better" in page and "By 1 May 2026" in page
    other = jd.join(BRUNO)
    assert jd.post(other, f"plan/{item}", what="Hijacked").status_code == 404
    assert jd.post(other, f"plan/{item}/status", status="done").status_code == 404
    assert jd.post(other, f"plan/{item}/delete").status_code == 404
