"""Explainable group matching (pure Python).

``form_groups`` partitions learners into groups that satisfy the hard rules
(sizes, reporting lines, nobody twice) and maximise the worst group's score,
then the mean; every group carries human-readable reasons. ``evaluate_groups``
checks an instructor's hand-edited grouping and ``add_late_joiners`` places
newcomers without moving anyone. See the module docstrings of ``scoring``
(the score), ``sizes`` (the leftover rule), ``reporting`` (who is kept apart)
and ``search`` (the algorithm).
"""

from .engine import evaluate_groups, form_groups, unplaced_learners
from .late import add_late_joiners
from .model import (
    LEVELS,
    GroupCheck,
    Grouping,
    GroupResult,
    InfeasibleGrouping,
    Learner,
    MatchOptions,
    PastGroup,
)

__all__ = [
    "LEVELS",
    "GroupCheck",
    "GroupResult",
    "Grouping",
    "InfeasibleGrouping",
    "Learner",
    "MatchOptions",
    "PastGroup",
    "add_late_joiners",
    "evaluate_groups",
    "form_groups",
    "unplaced_learners",
]
