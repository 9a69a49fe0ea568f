"""Explainable group matching (pure Python).

``form_groups`` partitions learners into groups that satisfy the hard rules
(sizes, reporting lines, nobody twice) and maximise the worst group's score,
then the mean; every group carries human-readable reasons. ``evaluate_groups``
checks an instructor's hand-edited grouping and ``add_late_joiners`` places
newcomers without moving anyone or growing a group above its maximum;
``suggest_fixes`` offers checked ways out when the rules make grouping
impossible. See the module docstrings of ``scoring``
(the score), ``sizes`` (the leftover rule), ``reporting`` (who is kept apart)
and ``search`` (the algorithm).
"""

from .engine import evaluate_groups, form_groups, plan_is_feasible, unplaced_learners
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
    Waiting,
)
from .remedies import Fix, suggest_fixes

__all__ = [
    "LEVELS",
    "Fix",
    "GroupCheck",
    "GroupResult",
    "Grouping",
    "InfeasibleGrouping",
    "Learner",
    "MatchOptions",
    "PastGroup",
    "Waiting",
    "add_late_joiners",
    "evaluate_groups",
    "form_groups",
    "plan_is_feasible",
    "suggest_fixes",
    "unplaced_learners",
]
