"""A real LMS on a live port for the tool's service calls (NRPS, AGS, OAuth2 tokens).

It is the sandbox platform (the same code as the demo), served by its own HTTP
server so the tool's ``requests`` calls cross a real socket, with:

- any number of generated members (paging over a 10,000-member roster);
- a fault injector in front of it: 500s, 429 with Retry-After, 401s, an outage
  that refuses every call, or a slow answer, for a number of calls or until
  cleared; and a log of every request the tool made (method, path, headers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from lti_app.sandbox.app import create_sandbox_app
from lti_app.sandbox.platform import MEMBERSHIP, SandboxPlatform, SandboxUser
from lti_app.sandbox.store import DEMO_COURSE_ID, SandboxStore
from tests.support.platform_server import LiveServer

SCOPES_ALL = [
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def generated_learners(count: int, prefix: str = "learner") -> list[SandboxUser]:
    return [
        SandboxUser(
            f"{prefix}-{i:05d}",
            f"Learner {i:05d}",
            "Learner",
            f"{i:05d}",
            f"{prefix}{i}@example.test",
            (MEMBERSHIP + "Learner",),
        )
        for i in range(count)
    ]


#: A fault with this status only slows the call down (``delay``); the platform
#: still answers it.
PASS_THROUGH = 0


@dataclass
class Fault:
    path_part: str
    status: int
    times: int | None = None  # None: until cleared
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": "injected", "error_description": "injected fault"}'
    method: str | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str
    status: int
    headers: dict[str, str]


class FaultInjector:
    """WSGI middleware: answers matching requests with a fault, logs every request."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def add(self, path_part: str, status: int, **kw: Any) -> Fault:
        fault = Fault(path_part, status, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def _match(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path_part in path and fault.method in (None, method):
                    if fault.times is not None:
                        if fault.times <= 0:
                            continue
                        fault.times -= 1
                    return fault
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        query = environ.get("QUERY_STRING", "")
        fault = self._match(method, path)
        if fault is not None and fault.status == PASS_THROUGH:
            time.sleep(fault.delay)  # a slow platform that still does the work
            fault = None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            self._log(Seen(method, path, query, fault.status, headers))
            start_response(
                f"{fault.status} Injected",
                [("Content-Type", "application/json"), *fault.headers.items()],
            )
            return [fault.body]
        status_box: list[int] = []

        def capture(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            status_box.append(int(status.split()[0]))
            return start_response(status, response_headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = list(result)
        finally:  # a file response (the sandbox's CSS) must be closed, as servers do
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self._log(Seen(method, path, query, status_box[0] if status_box else 0, headers))
        return body

    def _log(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def calls(self, path_part: str, method: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path_part in s.path and method in (None, s.method)]


class ServicesLms:
    """The sandbox platform on its own port. ``tool_url`` is where the tool's JWKS
    is served (the platform checks token requests against it)."""

    context_id = DEMO_COURSE_ID

    def __init__(self, tool_url: str, members: list[SandboxUser] | None = None):
        self.server = LiveServer(self)
        self.url = self.server.url
        self.platform = SandboxPlatform(issuer=self.url)
        self.app = create_sandbox_app(self.platform, tool_url, None, extra_members=members or [])
        self.faults = FaultInjector(self.app)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.faults(environ, start_response)

    def __enter__(self) -> ServicesLms:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.__exit__(*exc)

    @property
    def store(self) -> SandboxStore:
        store: SandboxStore = self.app.extensions["sandbox"].store
        return store

    @property
    def course_api(self) -> str:
        return f"{self.url}/api/courses/{self.context_id}"

    @property
    def nrps_url(self) -> str:
        return self.course_api + "/memberships"

    @property
    def lineitems_url(self) -> str:
        return self.course_api + "/lineitems"

    def add_link(self, title: str = "Peer activity") -> dict[str, Any]:
        return self.store.add_link(
            self.context_id, url="http://tool.test/lti/launch", title=title, text="", custom={}
        )

    def add_lineitem(self, label: str, link_id: str | None = None, tag: str | None = None) -> str:
        item = self.store.add_lineitem(
            self.context_id,
            {
                "label": label,
                "scoreMaximum": 100,
                "resourceLinkId": link_id,
                "tag": tag,
                "resourceId": None,
                "startDateTime": None,
                "endDateTime": None,
            },
        )
        url: str = self.app.extensions["sandbox"].lineitem_url(self.context_id, item["id"])
        return url

    def token_requests(self) -> int:
        return len(self.faults.calls("/token", "POST"))


@dataclass
class CourseSetup:
    """The tool-side rows for a course on a :class:`ServicesLms`."""

    registration_id: int
    course_id: int
    activity_id: int
    link_id: str
    learner_ids: dict[str, int]  # sub -> person id


def setup_course(
    lms: ServicesLms,
    learners: list[SandboxUser],
    *,
    coupled_lineitem: bool = True,
    scopes: list[str] | None = None,
) -> CourseSetup:
    """Register ``lms`` in the tool, with its course, one activity bound to a link of
    the platform, and ``learners`` enrolled (in the current app context; commits)."""
    from lti_app.courses.models import Course, Enrolment, Person
    from lti_app.extensions import db
    from lti_app.lms import registry
    from lti_app.lms.registry import PlatformSpec
    from lti_app.peer_activities.models import Activity

    platform = lms.platform
    reg = registry.add_platform(
        PlatformSpec(
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_login_url=platform.auth_login_url,
            auth_token_url=platform.token_url,
            jwks_url=platform.jwks_url,
            name="Services LMS",
        ),
        [platform.deployment_id],
        allow_http=True,
    )
    dep = reg.deployments[0]
    course = Course(
        registration_id=reg.id,
        deployment_id=dep.id,
        context_id=lms.context_id,
        title="Services course",
        nrps_url=lms.nrps_url,
        ags_lineitems_url=lms.lineitems_url,
        ags_scopes=SCOPES_ALL if scopes is None else scopes,
    )
    db.session.add(course)
    db.session.flush()
    link = lms.add_link()
    activity = Activity(
        registration_id=reg.id,
        deployment_id=dep.id,
        course_id=course.id,
        resource_link_id=link["id"],
        activity_type="peer_review",
        title="Feedback practice",
        settings={},
    )
    if coupled_lineitem:
        activity.lineitem_url = lms.add_lineitem(
            "Feedback practice: completion", link["id"], "peerlift-completion"
        )
    db.session.add(activity)
    ids: dict[str, int] = {}
    for user in learners:
        person = Person(registration_id=reg.id, sub=user.sub, name=user.name)
        db.session.add(person)
        db.session.flush()
        db.session.add(Enrolment(course_id=course.id, person_id=person.id, roles=["learner"]))
        ids[user.sub] = person.id
    db.session.commit()
    return CourseSetup(reg.id, course.id, activity.id, link["id"], ids)
