"""What the activity page shows about calibration and self-assessment (issue 20,
rows 1 and 2), read only: the learner's calibration step and self-assessment with
its gap view, and the instructor's examples, "who calibrated how well" and the
cohort's self-versus-peer gap. With both features off the learner's part is
``None`` and costs no statement (the activity page's pins stay as they were).
"""

from __future__ import annotations

from typing import Any

from lti_app.actor.session import Actor
from lti_app.courses.models import Person
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.levels import levels_of
from lti_app.peer_activities.peer_review.models import DONE, PeerReviewCriterion
from lti_app.peer_activities.peer_review.services import calibrating, rubric, self_assessing


def rubric_fields(rows: list[PeerReviewCriterion]) -> list[dict[str, Any]]:
    """The rubric as the shared rubric fields macro reads it."""
    return [
        {
            "id": c.public_id,
            "name": c.name,
            "max": c.max_points,
            "levels": levels_of(c.levels, c.max_points),
        }
        for c in rows
    ]


def learner(actor: Actor, activity: Activity, standing: Any) -> dict[str, Any] | None:
    """The learner's calibration step and self-assessment (``standing``: their
    peer-review standing, already read)."""
    cal_mode = calibrating.mode(activity)
    self_mode = self_assessing.mode(activity)
    if cal_mode == calibrating.OFF and self_mode == self_assessing.OFF:
        return None
    rows = rubric.criteria(activity)
    out: dict[str, Any] = {"cal_mode": cal_mode, "self_mode": self_mode}
    if cal_mode != calibrating.OFF:
        cal = calibrating.standing(activity, actor.person, rows)
        out["cal"] = cal
        out["must_calibrate"] = not cal.done
    if self_mode != self_assessing.OFF and standing.submission is not None:
        mine = self_assessing.own(activity, actor.person)
        out["self"] = mine
        out["self_fields"] = rubric_fields(rows) if mine is None else []
        received = [
            r
            for r in standing.reviews
            if r.submission_id == standing.submission.id and r.status == DONE
        ]
        out["gap"] = self_assessing.gap_view(rows, mine, received) if mine and received else []
        out["self_weight"] = round(self_assessing.weight(activity) * 100)
    return out


def staff(
    activity: Activity, people: list[Person], rows: list[PeerReviewCriterion]
) -> dict[str, Any]:
    """The instructor's calibration and self-assessment section (``rows``: the
    rubric, already read)."""
    cal_mode = calibrating.mode(activity)
    self_mode = self_assessing.mode(activity)
    out: dict[str, Any] = {
        "cal_mode": cal_mode,
        "self_mode": self_mode,
        "settings": activity.settings,
        "fields": rubric_fields(rows),
        "names": {c.public_id: c.name for c in rows},
        "examples": calibrating.examples(activity),
    }
    #: Examples whose reference no longer fits the rubric (it changed since).
    out["stale"] = {e.id for e in out["examples"] if not calibrating.fits(e, rows)}
    if cal_mode != calibrating.OFF:
        out["who"] = calibrating.cohort(activity, people)
        #: Reviewer key -> last calibration agreement, shown beside their flag.
        out["by_key"] = {w["key"]: w["last"] for w in out["who"] if w["last"] is not None}
        out["tolerance"] = round(calibrating.tolerance(activity) * 100)
    if self_mode != self_assessing.OFF:
        out["cohort"] = self_assessing.cohort(activity, rows)
    return out


def calibration_page(activity: Activity, person: Person) -> dict[str, Any]:
    """The learner's calibration page: the examples, the rubric, the last try's
    comparison with the reference criterion by criterion."""
    rows = rubric.criteria(activity)
    cal = calibrating.standing(activity, person, rows)
    names = [c.name for c in rows]
    compared = []
    if cal.last is not None:
        by_id = {str(e.id): e for e in cal.examples}
        for found in cal.last.examples:
            e = by_id[found.example]
            compared.append(
                {
                    "title": e.title,
                    "agreement": found.agreement,
                    "comment": e.reference_comment,
                    "rows": [
                        {
                            "name": name,
                            "max": c.max_points,
                            "given": g.given,
                            "reference": g.reference,
                            "distance": g.distance,
                        }
                        for name, c, g in zip(names, rows, found.criteria, strict=False)
                    ],
                }
            )
    return {"cal": cal, "fields": rubric_fields(rows), "compared": compared}
