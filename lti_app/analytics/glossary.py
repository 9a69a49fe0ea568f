"""What these numbers mean: one entry per statistic the analytics pages show.

Each entry says what the number is, how to read it and what to be careful
about, in words (no formulas). The pages link a small "?" next to each
statistic to its entry's anchor (``#what-<key>``); the sponsor PDF prints the
entries of the numbers it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Term:
    key: str
    name: str | Markup
    what: str
    how: str
    caveat: str

    @property
    def anchor(self) -> str:
        return f"what-{self.key}"


TERMS: tuple[Term, ...] = (
    Term(
        "took-part",
        "Took part",
        "Learners enrolled with the learner role who did something in an activity "
        "(staff and test users are never counted).",
        "Compare it with the number enrolled: the gap is who never started.",
        "Taking part says nothing yet about learning; it is the first step of the evidence.",
    ),
    Term(
        "paired",
        "Paired learners",
        "Learners who took both the pre-check and the post-check. Only they count "
        "in the learning-gain figures.",
        "The more of the cohort is paired, the more the learning figures speak for everyone.",
        "Learners who left before the post-check (attrition) are not in the gain; if weaker "
        "learners leave, the gain looks better than it is.",
    ),
    Term(
        "c",
        "Learning gain (normalised change c)",
        "For each learner, how much of the possible improvement they made: the points they "
        "gained out of the points they could still gain. A learner who scored lower gets the "
        "share of their starting score they lost. It runs from −1 to +1, shown here also as "
        "a percentage.",
        "+0.50 (50%) means learners closed half of the gap to full marks. 0 means no change. "
        "Below 0 means they scored lower at the post-check.",
        "Learners with the same score at the floor or the ceiling on both checks carry no "
        "information and are left out. It is a cohort figure, not a grade.",
    ),
    Term(
        "g",
        "Gain of averages ⟨g⟩ (Hake)",
        "The same idea as c, computed once for the whole class from the average pre-check "
        "and average post-check scores.",
        "Hake's rough bands: below 0.3 low, 0.3 to 0.7 medium, above 0.7 high. Lecture-based "
        "courses average about 0.23, interactive ones about 0.48.",
        "It can differ from the average of the learners' own gains, and it ignores who dropped "
        "out.",
    ),
    Term(
        "d",
        Markup("Effect size (d<sub>z</sub> and Hedges' g<sub>av</sub>)"),
        "How big the change from pre-check to post-check is compared with how much scores "
        "vary between learners. The paired d compares it with how much the changes vary; "
        "Hedges' g compares it with how much the scores vary and corrects for small groups.",
        "Roughly: 0.2 small, 0.5 medium, 0.8 large. The range in brackets is where the true "
        "value probably lies (95% confidence interval).",
        "Shown only from 10 paired learners: below that it is too noisy. The paired d grows "
        "when pre and post scores move together, so compare only like with like.",
    ),
    Term(
        "nps",
        "Net Promoter Score (NPS)",
        "From the question \u201chow likely are you to recommend it\u201d (0 to 10): the "
        "percentage who answer 9 or 10 minus the percentage who answer 0 to 6.",
        "It runs from −100 to +100; above 0 means more promoters than detractors.",
        "With few answers one person moves it a lot; look at n next to it.",
    ),
    Term(
        "survival",
        "Still taking part (survival curve)",
        "The estimated share of learners still taking part, by week since each first opened "
        "Peerlift. Learners who have not dropped out count until the last week they were seen.",
        "A steep fall early on means people stop soon after they start.",
        "Who counts as dropped out follows the rule written next to the chart.",
    ),
    Term(
        "applied",
        "Applying it at work",
        "At the 30, 60 and 90-day check-ins, learners say whether they have tried or "
        "regularly apply an action from the programme.",
        "The share is of the learners who answered that check-in, not of everyone.",
        "It is what learners say; observer confirmations are counted separately and are "
        "stronger evidence.",
    ),
    Term(
        "alpha",
        "Agreement between peer reviewers (Krippendorff's α)",
        "How much peer reviewers agree when they rate the same work, beyond what chance "
        "would give. 1 is full agreement, 0 is no better than chance.",
        "0.80 or more: ratings can be relied on. 0.67 to 0.80: tentative conclusions only. "
        "Below 0.67: reviewers often disagree.",
        "Needs work rated by several reviewers; with few submissions it is uncertain.",
    ),
    Term(
        "ladder",
        "Evidence ladder",
        "Which levels of evidence this programme has, from taking part up to results at "
        "work (Kirkpatrick's levels and Thalheimer's LTEM tiers).",
        "Higher rungs are stronger evidence that the programme works.",
        "Taking part, activity and opinions alone do not show that anyone learned.",
    ),
)

BY_KEY = {t.key: t for t in TERMS}
