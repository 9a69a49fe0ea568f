"""The learner's plain sentence beside a reviewing grade names what the instructor
chose to count (weighted calibration, a self-assessment weight) without a formula."""

from lti_app.domain.grade_comments import reviewing_comment


def test_weighted_calibration_is_named_beside_the_accuracy() -> None:
    text = reviewing_comment(0.8, written=2, asked=2, accuracy=0.9, stars=None, calibrated=True)
    assert "the instructor's on the practice examples" in text
    assert "×" not in text and "calibration agreement" not in text


def test_a_self_assessment_weight_is_said_as_a_share() -> None:
    text = reviewing_comment(0.7, written=1, asked=2, accuracy=None, stars=None, self_weight=0.2)
    assert text.endswith(
        "how close your self-assessment was to your peers' ratings makes 20% of it."
    )


def test_without_either_the_sentence_is_unchanged() -> None:
    text = reviewing_comment(0.61, written=2, asked=3, accuracy=0.75, stars=4.0)
    assert text == (
        "Reviewing: 61%. You wrote 2 of the 3 reviews asked of you; your scores were fairly "
        "close to other reviewers' scores; authors rated your feedback 4.0 out of 5 on average."
    )
