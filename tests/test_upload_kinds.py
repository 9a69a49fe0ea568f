"""The shared upload checks (``peer_activities.documents.uploads``): peer-review
submissions and case-discussion attachments are checked and stored by one piece
of code, each with its own settings, types and wording."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask

from lti_app.peer_activities.case_discussion.attachments import FILES as CASE_FILES
from lti_app.peer_activities.documents import UploadError, UploadKind
from lti_app.peer_activities.peer_review.uploads import FILES as SUBMISSION_FILES


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(
        PEER_REVIEW_UPLOAD_DIR=str(tmp_path / "pr"),
        CASE_DISCUSSION_UPLOAD_DIR=str(tmp_path / "cd"),
        PEER_REVIEW_MAX_UPLOAD_BYTES=1024,
    )
    return app


@pytest.mark.parametrize("kind", [SUBMISSION_FILES, CASE_FILES], ids=["submission", "case"])
def test_content_must_match_the_extension_for_every_activity(app: Flask, kind: UploadKind) -> None:
    with app.app_context(), pytest.raises(UploadError) as refused:
        kind.check("essay.pdf", b"PK\x03\x04 not a pdf")
    assert refused.value.message == "The file's content is not a .pdf file."
    assert refused.value.status == 422


def test_each_activity_keeps_its_own_types_and_wording(app: Flask) -> None:
    with app.app_context():
        assert CASE_FILES.check("marks.csv", b"a,b\n1,2\n") == "marks.csv"
        with pytest.raises(UploadError, match="^Upload a PDF"):
            SUBMISSION_FILES.check("marks.csv", b"a,b\n1,2\n")
        with pytest.raises(UploadError, match=r"^A \.txt or \.md file must be UTF-8"):
            SUBMISSION_FILES.check("notes.txt", b"\xff\xfe")
        with pytest.raises(UploadError, match=r"^A \.txt file must be UTF-8"):
            CASE_FILES.check("notes.txt", b"\xff\xfe")


def test_too_large_is_refused_while_reading_with_413(app: Flask) -> None:
    with app.app_context(), pytest.raises(UploadError) as refused:
        SUBMISSION_FILES.read(io.BytesIO(b"x" * 1025))
    assert refused.value.status == 413
    assert "too large" in refused.value.message


def test_files_are_stored_by_random_key_in_each_activitys_folder(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        key = CASE_FILES.store(b"data")
        path = CASE_FILES.path_of(key)
        assert path is not None and path.parent == tmp_path / "cd"
        assert SUBMISSION_FILES.path_of(key) is None  # another activity's folder
        assert CASE_FILES.path_of("../" + key) is None  # only keys this module made
        CASE_FILES.remove(key)
        assert CASE_FILES.path_of(key) is None
