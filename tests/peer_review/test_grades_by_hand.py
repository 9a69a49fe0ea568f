"""Grades recomputed by hand on a small case (three learners, k = 2)."""

from __future__ import annotations

import re

from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.support.lti import INSTRUCTOR


def test_grades_on_a_small_case_match_the_hand_computation(pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="2")
    staff = pr.enter(INSTRUCTOR)
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/rubric", data={"t": staff.token, "rubric": "Quality | 10"}
        ).status_code
        == 303
    )
    v = {u.sub: pr.enter(u) for u in (ANA, BEN, CHO)}
    for u in (ANA, BEN, CHO):
        pr.submit(v[u.sub])
    # Everyone reviews both others: ANA gives 8, BEN 6, CHO 4 to whomever they review.
    given = {ANA.sub: 8, BEN.sub: 6, CHO.sub: 4}
    for _ in range(2):
        for u in (ANA, BEN, CHO):
            assert (
                pr.send_review(v[u.sub], pr.open_review(v[u.sub]), [given[u.sub]]).status_code
                == 303
            )
    # ANA's work: BEN 6 + CHO 4 → mean 5 (50 %); BEN's: 8, 4 → 6; CHO's: 8, 6 → 7.
    # ANA's reviewing: completion 2/2 = 1; accuracy: on BEN's work she is 8 − 4 = 4 off
    # the other reviewer, on CHO's 8 − 6 = 2 → deviation 3, accuracy 1 − 3/10 = 0.7;
    # no helpfulness ratings → (0.4×1 + 0.4×0.7) / 0.8 = 0.85.
    html = pr.page(staff)
    rows = {
        name: re.search(re.escape(name) + r"</th>(.*?)</tr>", html, re.S).group(1)
        for name in (ANA.name, BEN.name, CHO.name)
    }
    assert (
        "50.0 %" in rows[ANA.name] and "mean of 2 peer score(s) [4, 6] = 5 / 10" in rows[ANA.name]
    )
    assert "60.0 %" in rows[BEN.name] and "70.0 %" in rows[CHO.name]
    assert "85.0 %" in rows[ANA.name] and "accuracy 1 − 3/10 = 0.70" in rows[ANA.name]
    # BEN is off by 2 on both (ANA's work: 6 vs 4; CHO's: 6 vs 8) → accuracy 0.8 → 90 %.
    assert "90.0 %" in rows[BEN.name]
    # A 5-star rating of each of BEN's reviews adds helpfulness 1 with weight 0.2:
    # (0.4×1 + 0.4×0.8 + 0.2×1) / 1 = 0.92.
    for author in (ANA, CHO):
        for rid in pr.review_ids_received(v[author.sub]):
            pr.rate(v[author.sub], rid, stars=5)
    html = pr.page(staff)
    row = re.search(re.escape(BEN.name) + r"</th>(.*?)</tr>", html, re.S).group(1)
    assert "92.0 %" in row
