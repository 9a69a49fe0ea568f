"""The demo cohort of `make run`: groupable at once, with its reporting-line traps kept."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from lti_app.domain.matching import MatchOptions, evaluate_groups, form_groups
from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.grouping.models import GroupingIntake
from lti_app.sandbox import sandbox_of
from lti_app.sandbox.demo_cohort import PROFILES


def test_sandbox_register_seeds_a_cohort_the_engine_groups_without_breaking_its_traps(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sandbox", "register"])
    assert first.exit_code == 0, first.output
    assert f"{len(PROFILES)} learners' intake answers added" in first.output
    again = runner.invoke(args=["sandbox", "register"])
    assert "intake answers added" not in again.output, "running it again adds nothing"
    with app.app_context():
        platform = sandbox_of(app).platform
        reg = registry.find_registration(platform.issuer, platform.client_id)
        assert db.session.scalar(select(func.count()).select_from(GroupingIntake)) == len(PROFILES)
        from lti_app.courses.models import Course

        course = db.session.scalars(select(Course).where(Course.registration_id == reg.id)).one()
        cohort = load_cohort(course)
        learners = [cohort.learners[p] for p in cohort.eligible]
        assert len(learners) == len(PROFILES)
        options = MatchOptions(min_size=3, max_size=3)
        grouping = form_groups(
            learners, options, reporting_lines=cohort.reporting_lines, rng=random.Random(7)
        )
        groups = [g.members for g in grouping.groups]
        checks = evaluate_groups(groups, learners, options, reporting_lines=cohort.reporting_lines)
        assert all(
            not c.violations or "above the maximum" in " ".join(c.violations) for c in checks
        )
        by_name = {learner.name: learner.id for learner in learners}
        for boss, report in (
            ("Dee Laurent", "Chidi Mensah"),
            ("Fatima Zahra", "Marco Bianchi"),
            ("Jade Thompson", "Marco Bianchi"),
        ):
            assert not any(by_name[boss] in g and by_name[report] in g for g in groups)


def _demo_cohort(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["sandbox", "register"]).exit_code == 0
    platform = sandbox_of(app).platform
    reg = registry.find_registration(platform.issuer, platform.client_id)
    from lti_app.courses.models import Course

    course = db.session.scalars(select(Course).where(Course.registration_id == reg.id)).one()
    return load_cohort(course)


def test_demo_cohort_forms_groups_with_default_settings_for_every_group_activity(app):
    from lti_app.peer_activities import registry as activities
    from lti_app.peer_activities.grouping.rounds import match_options
    from lti_app.peer_activities.models import Activity

    GROUP_ACTIVITY_TYPES = activities.keys_with(activities.GROUPING)  # noqa: N806

    with app.app_context():
        cohort = _demo_cohort(app)
        learners = [cohort.learners[p] for p in cohort.eligible]
        for kind in sorted(GROUP_ACTIVITY_TYPES):
            kind_type = activities.get(kind)
            assert kind_type is not None
            defaults = kind_type.settings_schema().load({})
            options = match_options(Activity(activity_type=kind, settings=defaults))
            grouping = form_groups(
                learners, options, reporting_lines=cohort.reporting_lines, rng=random.Random(11)
            )
            sizes = [len(g.members) for g in grouping.groups]
            assert all(options.min_size <= s <= options.max_size for s in sizes), (kind, sizes)
            assert not grouping.notes, (kind, grouping.notes)
            checks = evaluate_groups(
                [g.members for g in grouping.groups],
                learners,
                options,
                reporting_lines=cohort.reporting_lines,
            )
            assert not any(c.violations for c in checks), kind
