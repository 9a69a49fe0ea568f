"""Who reviews which submission (peer assessment), pure Python.

Two modes, one set of hard rules.

Hard rules (both modes):

* a reviewer never reviews a submission they are an author of; a group
  submission lists every group member in ``authors``, so group-mates never
  review their own group's work;
* a reviewer never reviews a submission one of whose authors forms a
  "must not review" pair with them. ``forbidden`` holds ``(a, b)`` pairs and is
  **symmetric**: ``(a, b)`` blocks a reviewing b *and* b reviewing a, as for a
  manager and their report from the intake. The caller need not add both
  directions;
* a reviewer never gets the same submission twice.

Just in time (``next_submission`` / ``choose_submission``), when a reviewer
opens the task. Among the submissions the rules allow (and not in ``already``,
the ids this reviewer has reviewed or holds), the one that most needs a review
wins, by the key

1. *below k first*: submissions whose ``completed + in_progress`` is below
   ``k``; submissions that already have ``k`` completed-or-leased reviews are
   offered only when nothing below ``k`` remains, so volunteers and stragglers
   still get work (over-grading, as ORA2 does) unless ``allow_extra=False``,
   which returns ``None`` instead;
2. fewest ``completed + in_progress`` (a leased, unexpired review counts; an
   expired lease must not be counted by the caller, so abandoned reviews return
   to the pool);
3. fewest ``completed``;
4. oldest ``submitted_at``;
5. a draw from the injected ``random.Random`` among the ids still tied (sorted
   first, so the input order does not matter).

A late submission with 0 reviews therefore goes first as soon as it arrives.

Fairness over time: a reviewer's *owed* reviews are chosen with
``allow_extra=False``. Owed reviews and needed reviews then stay equal (each
submitter owes k and needs k), so a review given beyond k early on is never one
that a later submission will lack. When nothing below k is open to a reviewer
they wait instead (their owed review serves the next submission that arrives);
only volunteers and staff may add an extra review, once every submission open
to them has k. What remains short at the close (a submission nobody still
owing may review, a late arrival after everyone finished) is listed by
``shortfalls`` with the reason, for the instructor's remedies.

Batch (``allocate_batch``), at a deadline, from scratch (existing reviews are not
looked at): every submission gets exactly ``k`` distinct reviewers and the
reviewers' loads differ by at most one. Method: shuffle the reviewers into a ring
and the submissions into a list (both with ``rng``), then deal the ``S × k``
review slots round the ring, submission after submission, so submission ``i``
gets ring positions ``i·k … i·k + k − 1`` (distinct as ``k ≤ R``) and every
reviewer gets ``⌊S·k/R⌋`` or ``⌈S·k/R⌉`` slots. Slots that break a rule are
repaired by swapping reviewers with another slot (loads are unchanged by a
swap). If some conflict cannot be repaired that way, the whole problem is solved
exactly as a max-flow (submissions need ``k``, each reviewer carries between the
floor and the ceiling of the mean load), which either finds an allocation or
proves there is none; then ``AllocationError`` explains why.
"""

from .batch import allocate_batch
from .jit import choose_submission, next_submission
from .model import Allocation, AllocationError, Choice, SubmissionState
from .shortfall import Shortfall, shortfalls

__all__ = [
    "Allocation",
    "AllocationError",
    "Choice",
    "Shortfall",
    "SubmissionState",
    "allocate_batch",
    "choose_submission",
    "next_submission",
    "shortfalls",
]
