"""Files attached to submissions: limits, allow-list, names, storage and who may fetch."""

from __future__ import annotations

import io
from pathlib import Path

from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.support.lti import INSTRUCTOR

PDF = b"%PDF-1.4\n% a tiny pdf\n"


def _upload(pr: PeerReviewDriver, visit, data: bytes, name: str, body: str = ""):  # type: ignore[no-untyped-def]
    return pr.client.post(f"/pr/{pr.activity}/submission",
                          data={"t": visit.token, "body": body,
                                "file": (io.BytesIO(data), name)},
                          content_type="multipart/form-data")


def test_a_file_is_checked_stored_outside_the_web_root_and_served_only_to_allowed_viewers(
        pr: PeerReviewDriver) -> None:
    pr.create_activity(reviews_per_submission="1")
    a, b, c = pr.enter(ANA), pr.enter(BEN), pr.enter(CHO)
    pr.app.config["PEER_REVIEW_MAX_UPLOAD_BYTES"] = 1024
    too_big = _upload(pr, b, PDF + b"x" * 2000, "essay.pdf")
    assert too_big.status_code == 422 and "too large" in too_big.get_data(as_text=True)
    exe = _upload(pr, b, b"MZ\x90\x00", "tool.exe")
    assert exe.status_code == 422 and "Upload a PDF" in exe.get_data(as_text=True)
    fake = _upload(pr, b, b"<html><script>alert(1)</script>", "essay.pdf")
    assert fake.status_code == 422 and "not a .pdf file" in fake.get_data(as_text=True)
    ok = _upload(pr, b, PDF, "../../Benedikt Vogel essay.pdf")
    assert ok.status_code == 303, ok.get_data(as_text=True)

    stored = list(Path(pr.app.config["PEER_REVIEW_UPLOAD_DIR"]).iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".bin" and stored[0].read_bytes() == PDF
    assert "Benedikt" not in stored[0].name and "static" not in str(stored[0])
    assert pr.reviews() == []

    pr.submit(a)
    pr.submit(c)
    rid = pr.open_review(a)
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}",
                         query_string={"t": a.token}).get_data(as_text=True)
    if "Download the attached file" not in page:  # ANA was given CHO's work: swap roles
        rid = pr.open_review(c)
        a, c = c, a
        page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}",
                             query_string={"t": a.token}).get_data(as_text=True)
    assert "Download the attached file (.pdf)" in page and "Benedikt" not in page
    url = page.split('href="')[[i for i, part in enumerate(page.split('href="'))
                                if "/file?" in part][0]].split('"')[0].replace("&amp;", "&")
    path = url.split("?")[0]
    got = pr.client.get(path, query_string={"t": a.token})
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "submission.pdf" in got.headers["Content-Disposition"]  # double-blind: no name
    assert got.headers["Content-Type"] == "application/octet-stream"
    # The author and staff may fetch it; a learner not allocated to it may not.
    own = pr.client.get(path, query_string={"t": b.token})
    assert own.status_code == 200 and "Benedikt_Vogel_essay.pdf" in \
        own.headers["Content-Disposition"]
    assert pr.client.get(path, query_string={"t": c.token}).status_code == 404
    assert pr.client.get(path, query_string={"t": pr.enter(INSTRUCTOR).token}).status_code \
        == 200
