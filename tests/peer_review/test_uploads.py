"""Files attached to submissions: limits, allow-list, names, storage and who may fetch."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.support.lti import INSTRUCTOR
from tests.test_documents import (
    assert_no_names,
    jpeg_segments,
    make_docx,
    make_jpeg,
    make_odt,
    make_pdf,
    make_png,
    pdf_xref_ok,
    png_chunks,
    zip_text,
)

PDF = b"%PDF-1.4\n% a tiny pdf\n"


def _upload(pr: PeerReviewDriver, visit, data: bytes, name: str, body: str = ""):  # type: ignore[no-untyped-def]
    return pr.client.post(
        f"/pr/{pr.activity}/submission",
        data={"t": visit.token, "body": body, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_file_is_checked_stored_outside_the_web_root_and_served_only_to_allowed_viewers(
    pr: PeerReviewDriver,
) -> None:
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
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token}).get_data(
        as_text=True
    )
    if "Download the attached file" not in page:  # ANA was given CHO's work: swap roles
        rid = pr.open_review(c)
        a, c = c, a
        page = pr.client.get(
            f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token}
        ).get_data(as_text=True)
    assert "Download the attached file (.pdf)" in page and "Benedikt" not in page
    url = (
        page.split('href="')[
            [i for i, part in enumerate(page.split('href="')) if "/file?" in part][0]
        ]
        .split('"')[0]
        .replace("&amp;", "&")
    )
    path = url.split("?")[0]
    got = pr.client.get(path, query_string={"t": a.token})
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "submission.pdf" in got.headers["Content-Disposition"]  # double-blind: no name
    assert got.headers["Content-Type"] == "application/octet-stream"
    # The author and staff may fetch it; a learner not allocated to it may not.
    own = pr.client.get(path, query_string={"t": b.token})
    assert (
        own.status_code == 200 and "Benedikt_Vogel_essay.pdf" in own.headers["Content-Disposition"]
    )
    assert pr.client.get(path, query_string={"t": c.token}).status_code == 404
    assert pr.client.get(path, query_string={"t": pr.enter(INSTRUCTOR).token}).status_code == 200


# -- anonymity: the author's name leaves the file's metadata --------------------------------

FIXTURES: dict[str, Callable[[], bytes]] = {
    "essay.docx": make_docx,
    "essay.odt": make_odt,
    "essay.pdf": make_pdf,
    "photo.jpg": make_jpeg,
    "scan.png": make_png,
}


def _reviewer_download(
    pr: PeerReviewDriver, data: bytes, name: str, **settings: Any
) -> tuple[bytes, bytes, str]:
    """BEN uploads ``data``; ANA (the only other submitter) reviews it. Returns what
    ANA downloads, what BEN downloads, and the name ANA's download is given."""
    pr.create_activity(reviews_per_submission="1", **settings)
    a, b = pr.enter(ANA), pr.enter(BEN)
    sent = _upload(pr, b, data, name)
    assert sent.status_code == 303, sent.get_data(as_text=True)
    pr.submit(a)
    rid = pr.open_review(a)
    page = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token}).get_data(
        as_text=True
    )
    path = re.search(r'href="([^"?]+/file)\?', page).group(1)  # type: ignore[union-attr]
    got = pr.client.get(path, query_string={"t": a.token})
    own = pr.client.get(path, query_string={"t": b.token})
    assert got.status_code == 200 and own.status_code == 200
    return got.data, own.data, got.headers["Content-Disposition"]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_a_reviewer_downloads_the_work_without_the_authors_name_in_its_metadata(
    pr: PeerReviewDriver, name: str
) -> None:
    original = FIXTURES[name]()
    assert b"Benedikt" in original or b"Benedikt" in b"".join(zip_text(original).values())
    got, own, disposition = _reviewer_download(pr, original, name)
    assert own == got  # one stored copy, already clean
    assert "Benedikt" not in disposition
    if name.endswith((".docx", ".odt")):
        parts = zip_text(got)  # still a sound archive
        assert_no_names(b"".join(parts.values()))
        body = parts["word/document.xml" if name.endswith(".docx") else "content.xml"]
        assert b"The argument in three steps" in body
    elif name.endswith(".pdf"):
        assert_no_names(got)
        assert got.startswith(b"%PDF-") and pdf_xref_ok(got) and len(got) == len(original)
        assert b"The argument in three steps" in got
    elif name.endswith(".jpg"):
        assert_no_names(got)
        assert [m for m, _ in jpeg_segments(got)][-2:] == [0xDA, 0x00]
    else:
        assert_no_names(got)
        assert [k for k, _ in png_chunks(got)] == [b"IHDR", b"IDAT", b"IEND"]


def test_a_file_whose_metadata_cannot_be_removed_is_refused_with_what_to_do(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    b = pr.enter(BEN)
    refused = _upload(pr, b, make_pdf(compress_xmp=True), "essay.pdf", body="My essay")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "We could not remove the author&#39;s name from this file" in text
    assert "save it as a new PDF" in text
    assert not Path(pr.app.config["PEER_REVIEW_UPLOAD_DIR"]).exists() or not list(
        Path(pr.app.config["PEER_REVIEW_UPLOAD_DIR"]).iterdir()
    )
    broken = _upload(pr, b, b"PK\x03\x04 broken", "essay.docx")
    assert broken.status_code == 422 and "save it as a new .docx" in broken.get_data(as_text=True)


def test_open_review_stores_a_file_it_cannot_clean_as_uploaded(pr: PeerReviewDriver) -> None:
    """Under open review names are shown anyway: refusing the file would help nobody."""
    unclean = make_pdf(compress_xmp=True)
    got, _, disposition = _reviewer_download(pr, unclean, "essay.pdf", anonymity="open")
    assert got == unclean and "essay.pdf" in disposition
