"""The activity contract, and the activity types known to the tool.

An activity is one package under ``lti_app/peer_activities/`` that describes
itself with one :class:`ActivityType` (in its ``activity.py``) and is installed
with one line in ``lti_app/peer_activities/__init__.py:init_app``. The contract
asks for:

- ``settings_schema`` (+ ``fields``, ``rules``): the deep-linking settings and
  the Settings page form (``settings_form``, ``settings_edit``);
- ``learner_panel``, ``staff_panel``, ``mentor_panel``, ``guest_panel``: what the
  activity page shows each audience (a :class:`Panel`: a template of the
  package, and the data it reads as ``part.data``);
- ``capabilities``: shared machinery the activity uses (``GROUPING``: the intake
  survey, agreement and groups of ``grouping`` come before its own panel);
- ``notices``: its launch notices (``notices.Source``);
- ``completion``: whether a person has completed it (its rule);
- ``grade_columns``: what "Send grades" sends for it, if anything;
- ``exports``: the downloads it offers its staff;
- ``jobs`` and ``sweepers``: its background work (``jobs.register_job`` /
  ``jobs.register_sweeper``);
- ``blueprints`` (and the ``route_modules`` that add routes to them): its pages
  and actions;
- ``template_globals``: the helpers its own templates call.

:func:`install` wires all of that into an app; nothing registers at import.
Launch, deep linking, the activity page and the Settings page only ever talk to
this registry, never to a specific activity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask
from marshmallow import Schema

from lti_app import jobs
from lti_app.extensions import db
from lti_app.grades import publishing
from lti_app.peer_activities import notices
from lti_app.peer_activities.models import Activity

#: The capability of an activity whose people work in groups formed by ``grouping``.
GROUPING = "grouping"


@dataclass(frozen=True)
class Panel:
    """One part of the activity page: ``template`` (the activity's own template),
    which reads ``build(actor, activity)`` as ``part.data`` (built when the page
    reaches it, so the page's statements stay in page order)."""

    template: str
    build: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class Job:
    name: str
    fn: Callable[..., Any]
    #: See :func:`lti_app.jobs.register_job`.
    collapse: int = 0


@dataclass(frozen=True)
class Export:
    """A download the activity offers its staff: ``endpoint`` takes ``activity_id``
    and the session token ``t``."""

    label: str
    endpoint: str


@dataclass(frozen=True)
class ActivityType:
    key: str
    label: str
    #: One line about the activity; ``{setting}`` reads that setting in words
    #: (lti_app.peer_activities.settings_form.summary).
    summary: str
    #: Settings the instructor chooses when adding the activity (deep linking) and
    #: changes later on its Settings page; each field's ``metadata`` says how it reads
    #: (see lti_app.peer_activities.settings_form).
    settings_schema: type[Schema]
    #: Label of the completion line item declared through deep linking.
    completion_label: str = "completion"
    #: Optional form hints for fields whose schema metadata has none: (name, label,
    #: input type, choices as (value, label) pairs for selects).
    fields: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = field(
        default_factory=tuple
    )
    #: Module (dotted path) with the rules for changing settings once people have
    #: started: ``locked(activity) -> {setting: why it cannot change now}`` and
    #: ``applied(activity, before, after) -> None`` (follow-up work of a saved change).
    rules: str = ""
    # -- what it plugs in (not part of its identity: types compare by their settings) --
    #: Shared machinery the activity uses (``GROUPING``).
    capabilities: frozenset[str] = field(default=frozenset(), compare=False)
    #: What the activity page shows a learner, the course's staff, a mentor, a guest
    #: (None: nothing of the activity; a guest then reads that their role takes no part).
    learner_panel: Panel | None = field(default=None, compare=False)
    staff_panel: Panel | None = field(default=None, compare=False)
    mentor_panel: Panel | None = field(default=None, compare=False)
    guest_panel: Panel | None = field(default=None, compare=False)
    #: Its launch notices (see lti_app.peer_activities.notices).
    notices: tuple[notices.Source, ...] = field(default=(), compare=False)
    #: ``completion(activity, person) -> bool``: has the person completed it (its rule).
    completion: Callable[[Any, Any], bool] | None = field(default=None, compare=False)
    #: What "Send grades" sends for it (None: only completion reaches the gradebook).
    grade_columns: publishing.GradeSource | None = field(default=None, compare=False)
    exports: tuple[Export, ...] = field(default=(), compare=False)
    jobs: tuple[Job, ...] = field(default=(), compare=False)
    sweepers: tuple[Callable[[], None], ...] = field(default=(), compare=False)
    blueprints: tuple[Blueprint, ...] = field(default=(), compare=False)
    #: The view modules whose routes are on ``blueprints`` (an activity's blueprint
    #: may take routes from more than one module; naming them here loads them all).
    route_modules: tuple[ModuleType, ...] = field(default=(), compare=False)
    #: Helpers its templates call, by name.
    template_globals: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def has(self, capability: str) -> bool:
        return capability in self.capabilities


_TYPES: dict[str, ActivityType] = {}


def register(activity_type: ActivityType) -> ActivityType:
    """Make the type known to deep linking, launches and the pages (by its key)."""
    _TYPES[activity_type.key] = activity_type
    return activity_type


def install(app: Flask, kind: ActivityType) -> ActivityType:
    """Register ``kind`` and wire everything it provides into ``app``."""
    register(kind)
    for blueprint in kind.blueprints:
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(kind.template_globals)
    for source in kind.notices:
        notices.source(source)
    for job in kind.jobs:
        jobs.register_job(job.name, job.fn, collapse=job.collapse)
    for sweeper in kind.sweepers:
        jobs.register_sweeper(sweeper)
    if kind.grade_columns is not None:
        publishing.register_source(kind.key, kind.grade_columns, _load_activity)
    return kind


def _load_activity(activity_id: int) -> Activity | None:
    return db.session.get(Activity, activity_id)


def get(key: str | None) -> ActivityType | None:
    return _TYPES.get(key or "")


def has(activity: Any, capability: str) -> bool:
    """Whether ``activity``'s type declares ``capability``."""
    kind = get(activity.activity_type)
    return kind is not None and kind.has(capability)


def keys_with(capability: str) -> frozenset[str]:
    return frozenset(k for k, t in _TYPES.items() if t.has(capability))


def all_types() -> list[ActivityType]:
    """Every type, in the order they were installed (``peer_activities.init_app``
    installs them in the order people meet them)."""
    return list(_TYPES.values())


# -- the activity page ---------------------------------------------------------------------


@dataclass
class Part:
    """One panel placed on the page for one actor."""

    panel: Panel
    actor: Any
    activity: Any

    @property
    def template(self) -> str:
        return self.panel.template

    @cached_property
    def data(self) -> Any:
        return self.panel.build(self.actor, self.activity) if self.panel.build else None


#: Panels of shared capabilities, by capability and audience (see :func:`add_capability`).
_CAPABILITY_PANELS: dict[str, dict[str, Panel]] = {}
#: What a guest reads when the activity has no guest panel.
NO_PART = Panel("activities/_no_part.html")


def add_capability(capability: str, **panels: Panel) -> None:
    """Panels (by audience: ``staff``, ``learner``, …) a shared capability shows on
    the page of every activity that declares it, before the activity's own."""
    _CAPABILITY_PANELS[capability] = dict(panels)


def _audience(actor: Any) -> str:
    if actor.is_staff:
        return "staff"
    if actor.roles.primary == "guest":
        return "guest"
    if actor.roles.is_learner:
        return "learner"
    if actor.roles.primary == "mentor":
        return "mentor"
    return "other"


def page_parts(kind: ActivityType, actor: Any, activity: Any) -> list[Part]:
    """What the activity page shows ``actor``, in order: the panels of the
    capabilities ``kind`` declares (grouping), then its own panel for the actor's
    audience."""
    audience = _audience(actor)
    parts = [
        Part(panels[audience], actor, activity)
        for capability, panels in _CAPABILITY_PANELS.items()
        if kind.has(capability) and audience in panels
    ]
    own = {
        "staff": kind.staff_panel,
        "learner": kind.learner_panel,
        "mentor": kind.mentor_panel,
        "guest": kind.guest_panel or NO_PART,
    }.get(audience)
    if own is not None:
        parts.append(Part(own, actor, activity))
    return parts
