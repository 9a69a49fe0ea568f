"""Ways out when the reporting lines make grouping impossible, applied on click.

``offer_fixes`` asks the engine (lti_app.domain.matching.remedies) for the single
changes that make grouping possible for this cohort, the draft's locked groups
and the activity's allowed sizes; each was checked by the engine before it is
offered. ``apply_fix`` recomputes them (nothing the browser sends is trusted but
the choice), applies the chosen one and forms the draft with it: a new size
range is saved in the activity's settings, a rule exception goes with the
round's options (and is shown, and can be unticked, when groups are formed again).

Side effects: ``apply_fix`` may change the activity's settings and writes the
draft round (``rounds.form_draft``); it flushes, the request commits.
"""

from __future__ import annotations

import hashlib
import logging

from lti_app.courses.models import Course, Person
from lti_app.domain.matching import Fix, MatchOptions, suggest_fixes
from lti_app.extensions import db
from lti_app.peer_activities.grouping import rounds
from lti_app.peer_activities.grouping.cohort import Cohort
from lti_app.peer_activities.grouping.models import GroupingRound
from lti_app.peer_activities.grouping.size_settings import SIZE_RULES
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)


def fix_key(fix: Fix) -> str:
    """A stable, opaque name for a fix: a digest of the complete options it leads to."""
    o = fix.options
    text = "|".join(
        (
            f"{o.min_size}-{o.max_size}",
            "1" if o.avoid_same_manager else "0",
            ",".join(o.allow_same_manager),
            ",".join(o.allow_skip_level),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _locked(activity: Activity, cohort: Cohort) -> list[list[str]]:
    """The draft's locked groups as ``form_draft`` keeps them."""
    draft = rounds.draft_of(activity)
    if draft is None:
        return []
    allowed = set(cohort.eligible)
    kept = (
        [m.person.public_id for m in g.members if m.person.public_id in allowed]
        for g in draft.groups
        if g.locked
    )
    return [group for group in kept if len(group) >= 2]


def offer_fixes(activity: Activity, cohort: Cohort, options: MatchOptions) -> list[Fix]:
    """The checked fixes for grouping this activity's cohort with ``options``,
    their texts naming people (not ids)."""
    rule = SIZE_RULES.get(activity.activity_type or "", SIZE_RULES["role_play"])
    found = suggest_fixes(
        [cohort.learners[p] for p in cohort.eligible],
        options,
        locked=_locked(activity, cohort),
        reporting_lines=cohort.reporting_lines,
        size_floor=rule.floor,
        size_ceiling=rule.ceiling,
    )
    return [Fix(f.kind, rounds.describe(cohort, f.text), f.options, f.people) for f in found]


def set_size_range(activity: Activity, low: int, high: int) -> None:
    """Save a new group size range in the activity's settings (the legacy single
    size goes: the range replaces it)."""
    settings = {k: v for k, v in (activity.settings or {}).items() if k != "group_size"}
    settings["group_size_min"], settings["group_size_max"] = low, high
    activity.settings = settings
    db.session.flush()


def apply_fix(
    activity: Activity,
    course: Course,
    cohort: Cohort,
    creator: Person,
    options: MatchOptions,
    key: str,
) -> tuple[Fix, GroupingRound]:
    """Apply the fix named ``key`` (offered for ``options``) and form the draft.

    Raises ``rounds.RoundError`` when that fix is no longer offered (the cohort,
    the locked groups or the settings changed since the page was shown).
    """
    chosen = next((f for f in offer_fixes(activity, cohort, options) if fix_key(f) == key), None)
    if chosen is None:
        raise rounds.RoundError(
            "That change is no longer needed or no longer enough: the "
            "people, the locked groups or the settings changed since the "
            "page was shown. Form groups again to see what works now."
        )
    new = chosen.options
    if (new.min_size, new.max_size) != rounds.size_bounds(activity):
        set_size_range(activity, new.min_size, new.max_size)
    draft = rounds.form_draft(activity, course, cohort, creator, new)
    log.info(
        "activity %s: fix %r applied, draft %s formed",
        activity.public_id,
        chosen.kind,
        draft.public_id,
    )
    return chosen, draft
