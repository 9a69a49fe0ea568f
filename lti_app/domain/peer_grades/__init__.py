"""Grades from peer ratings (peer assessment), pure Python.

Inputs are ``Rating(reviewer, submission, score)`` with ``0 ≤ score ≤ max_score``
(a rubric total; ``Rubric.total`` turns per-criterion points into one, as
``Σ weight_c × points_c`` with ``max_score = Rubric.max_total``). One reviewer
rates a submission at most once.

**Leave-one-out consensus.** For reviewer v on submission s,
``consensus₋ᵥ(s) = Σ_{u≠v} w_u x_us / Σ_{u≠v} w_u`` over the other reviewers of s
(all ``w = 1`` unless accuracy weighting says otherwise). Submissions v rated
alone give no comparison. Over the n submissions v shares with others:
``bias_v = mean(x_vs − consensus₋ᵥ(s))`` and ``deviation_v = mean |x_vs − consensus₋ᵥ(s)|``.

**Submission grade** (``submission_grades``), on the 0..max scale:

* ``mean``: ``Σ w x / Σ w``;
* ``median``: the weighted median — sort the scores, take the first whose
  cumulative weight reaches half the total; if it reaches exactly half, the mean
  of it and the next (so with equal weights, the usual median: the middle score,
  or the mean of the two middle ones);
* ``trimmed``: with n ≥ 4 ratings, drop one highest and one lowest score, then
  the (weighted) mean of the rest; with n < 4 nothing is dropped (plain mean).

**Accuracy weighting** (optional, like Moodle Workshop's "comparison with the
best" and Kritik's grading power): every reviewer starts at ``w = 1``; then,
``iterations`` times (default 3; stops early when no weight moves by 1e-9),
``d_v = deviation_v / max_score`` (the leave-one-out consensus using the current
weights) and ``w_v = max(floor, 1 / (1 + (d_v / scale)²))`` (defaults
``scale = 0.1``, ``floor = 0.1``: a reviewer off by 10 % of the scale on average
counts half, by 30 % a tenth). Reviewers with nothing to compare keep ``w = 1``.

**Reviewing grade** (``reviewing_grades``), in 0..1, the weighted mean of the
parts that exist (the weights of missing parts are dropped and the rest
renormalised):

* completion = ``min(1, reviews done / reviews assigned)``; missing when nothing
  was assigned;
* accuracy = ``1 − deviation_v / max_score`` (unweighted consensus, so it does
  not depend on the weighting option), clamped to 0..1; missing without any
  comparison;
* helpfulness = the mean of ``(h − 1) / 4`` over the authors' 1–5 ratings of
  v's reviews; missing without ratings.

Default weights: completion 0.4, accuracy 0.4, helpfulness 0.2.

**Lenient / harsh flags** (``reviewer_flags``): with at least ``min_reviews``
comparisons (default 3), ``bias_v > threshold × max_score`` is lenient and
``< −threshold × max_score`` harsh (default threshold 0.1), from the unweighted
consensus. Flags inform the instructor; they never change a grade.
"""

from lti_app.domain.peer_grades.consensus import reviewer_stats
from lti_app.domain.peer_grades.model import (
    METHODS,
    TRIM_FROM,
    Criterion,
    GradeError,
    GradingOptions,
    Method,
    Rating,
    ReviewerFlag,
    ReviewerStats,
    ReviewingGrade,
    ReviewingWeights,
    Rubric,
    SubmissionGrade,
)
from lti_app.domain.peer_grades.reviewing import reviewer_flags, reviewing_grades
from lti_app.domain.peer_grades.submission import submission_grades

__all__ = [
    "METHODS",
    "TRIM_FROM",
    "Criterion",
    "GradeError",
    "GradingOptions",
    "Method",
    "Rating",
    "ReviewerFlag",
    "ReviewerStats",
    "ReviewingGrade",
    "ReviewingWeights",
    "Rubric",
    "SubmissionGrade",
    "reviewer_flags",
    "reviewer_stats",
    "reviewing_grades",
    "submission_grades",
]
