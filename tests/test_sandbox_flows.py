"""End-to-end: the real tool with the sandbox LMS mounted, on a live HTTP server.

A ``requests.Session`` plays a browser without JavaScript: it reads the forms of
each page and submits them, so every hop (login initiation, OIDC auth, launch,
deep-linking response) goes over HTTP exactly as in the click-through demo.
The tool fetches the sandbox's JWKS and the sandbox fetches the tool's, for real.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from lti_app.extensions import db
from lti_app.lms import keys
from lti_app.sandbox import sandbox_of
from lti_app.sandbox.context import (
    AGS_LINEITEM,
    AGS_RESULT_READONLY,
    AGS_SCORE,
    NRPS_SCOPE,
    Sandbox,
)
from lti_app.sandbox.platform import DEMO_USERS
from tests.conftest import make_app

CTX = "sandbox-course-1"
INSTRUCTOR, LEARNER = "sandbox-ada", "sandbox-ben"
NRPS_MEDIA = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"


# -- a browser without JavaScript ---------------------------------------------------
@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **overrides: str) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in self.fields if k not in overrides]
        return kept + list(overrides.items())


class Page(HTMLParser):
    """The forms, iframes and links of an HTML page, as a browser would use them."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[Form] = []
        self.iframes: dict[str, dict[str, str]] = {}
        self.links: dict[str, str] = {}
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").upper()))
        elif tag == "iframe":
            self.iframes[attrs.get("name", "")] = attrs
        elif tag == "a" and attrs.get("id"):
            self.links[attrs["id"]] = attrs.get("href", "")
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if attrs.get("type") not in ("submit", "button"):
                self.forms[-1].fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select, self._select_value = attrs.get("name"), None
        elif tag == "option" and self._select:
            if self._select_value is None or "selected" in attrs:
                self._select_value = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            if self._textarea:
                self.forms[-1].fields.append((self._textarea, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.forms[-1].fields.pop()
            self.forms[-1].fields.append((name, value + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self.forms:
            self.forms[-1].fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submit(
    session: requests.Session, resp: requests.Response, index: int = 0, **overrides: str
) -> requests.Response:
    """Submit the page's ``index``-th form (following redirects, like a browser)."""
    assert resp.status_code == 200, (resp.status_code, resp.url, resp.text[:2000])
    form = Page(resp.text).forms[index]
    url = urljoin(resp.url, form.action)
    if form.method == "POST":
        return session.post(url, data=form.data(**overrides), timeout=10)
    return session.get(url, params=form.data(**overrides), timeout=10)


def open_frame(session: requests.Session, page_url: str) -> requests.Response:
    """Load an LMS launch page, then its ``tool`` iframe's first document (``data-src``
    when the page's script sets it once the storage frame has loaded)."""
    page = session.get(page_url, timeout=10)
    assert page.status_code == 200, page.text
    frame = Page(page.text).iframes["tool"]
    src = frame.get("src") or frame["data-src"]
    return session.get(urljoin(page.url, src), timeout=10)


# -- the live tool + sandbox ----------------------------------------------------------
@dataclass
class Live:
    app: Flask
    url: str

    @property
    def sandbox(self) -> Sandbox:
        return sandbox_of(self.app)

    def sign_assertion(self, **overrides: Any) -> str:
        """A client assertion signed with the tool's own key (what its service client sends)."""
        platform = self.sandbox.platform
        now = int(time.time())
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        with self.app.app_context():
            return keys.signing_key().sign(claims)

    def token(self, *scopes: str) -> str:
        resp = requests.post(
            self.sandbox.platform.token_url,
            timeout=10,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self.sign_assertion(),
                "scope": " ".join(scopes),
            },
        )
        assert resp.status_code == 200, resp.text
        return str(resp.json()["access_token"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with running_sandbox(tmp_path_factory.mktemp("sandbox")) as found:
        yield found


@contextlib.contextmanager
def running_sandbox(tmp: Any, **overrides: Any) -> Iterator[Live]:
    """The tool with its sandbox LMS registered, served on a real port."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = make_app(tmp, BASE_URL=url, **overrides)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["sandbox", "register"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(app, url)
    server.shutdown()
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    keys.clear_cache()


def add_activity(live: Live, title: str) -> requests.Response:
    """Deep linking as the instructor: pick role-play, give a title, return to the LMS."""
    browser = requests.Session()
    initiation = open_frame(
        browser, f"{live.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}"
    )
    auth = submit(browser, initiation)  # login initiation → tool → /sandbox/auth
    picker = submit(browser, auth)  # id_token → tool launch → activity picker
    assert "Add a peer-learning activity" in picker.text
    returning = submit(browser, picker, activity_type="role_play", title=title)
    return submit(browser, returning)  # JWT → /sandbox/deep-link-return


def link_titled(live: Live, title: str) -> dict[str, Any]:
    return next(link for link in live.sandbox.store.links(CTX) if link["title"] == title)


# -- (a) deep linking -------------------------------------------------------------
def test_instructor_adds_activity_by_deep_linking(live: Live) -> None:
    result = add_activity(live, "Difficult conversations")
    assert result.status_code == 200, result.text
    assert "Added to" in result.text and "Difficult conversations" in result.text
    assert 'target="_top"' in result.text
    link = link_titled(live, "Difficult conversations")
    assert link["custom"]["peerlift_activity"]
    item = live.sandbox.store.lineitem(CTX, link["lineitem_id"])
    assert item is not None
    assert item["scoreMaximum"] == 100 and item["resourceLinkId"] == link["id"]
    assert item["tag"] == "peerlift-completion"
    home = requests.get(live.url + "/sandbox/", timeout=10).text
    assert "Difficult conversations" in home and item["label"] in home


def test_deep_link_return_refuses_a_forged_jwt(live: Live) -> None:
    resp = requests.post(live.url + "/sandbox/deep-link-return", data={"JWT": "a.b.c"}, timeout=10)
    assert resp.status_code == 400
    assert "Deep-linking response refused" in resp.text and "Traceback" not in resp.text


# -- (b) resource link launch ---------------------------------------------------------
def test_learner_opens_the_activity(live: Live) -> None:
    add_activity(live, "Feedback rehearsal")
    link = link_titled(live, "Feedback rehearsal")
    browser = requests.Session()
    initiation = open_frame(
        browser, f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={LEARNER}"
    )
    activity = submit(browser, submit(browser, initiation))
    assert activity.status_code == 200, activity.text
    assert urlsplit(activity.headers["Content-Location"]).path.startswith("/a/")
    assert "Feedback rehearsal" in activity.text


def test_platform_storage_launch_without_the_state_cookie(live: Live) -> None:
    """With storage simulated, /auth expires the tool's state cookie, so the tool must
    confirm the launch through lti.get_data (done here by hand, as its script would)."""
    add_activity(live, "Storage check")
    link = link_titled(live, "Storage check")
    browser = requests.Session()
    initiation = open_frame(
        browser,
        f"{live.url}/sandbox/courses/{CTX}/launch?link={link['id']}&user={LEARNER}&storage=1",
    )
    assert ("lti_storage_target", "post_message_forwarding") in Page(initiation.text).forms[
        0
    ].fields
    login_page = submit(browser, initiation)
    assert "/sandbox/auth?" not in login_page.url  # a page doing lti.put_data, not a redirect
    auth = browser.get(Page(login_page.text).links["continue"], timeout=10)
    assert not any(c.name.startswith("peerlift-state-") for c in browser.cookies)
    confirm = submit(browser, auth)
    ticket_form = Page(confirm.text).forms[0]
    assert urlsplit(ticket_form.action).path == "/lti/launch/confirm"
    state = dict(Page(auth.text).forms[0].fields)["state"]
    activity = submit(browser, confirm, state=state)
    assert activity.status_code == 200 and "Storage check" in activity.text


# -- (c) token endpoint and NRPS ------------------------------------------------------
def test_nrps_pages_through_all_members(live: Live) -> None:
    token = live.token(NRPS_SCOPE)
    url: str | None = f"{live.url}/sandbox/api/courses/{CTX}/memberships?limit=2"
    seen: list[str] = []
    pages = 0
    while url:
        resp = requests.get(
            url, timeout=10, headers={"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA}
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"].startswith(NRPS_MEDIA)
        seen += [m["user_id"] for m in resp.json()["members"]]
        pages += 1
        url = resp.links.get("next", {}).get("url")
        if url:
            lowered = requests.get(
                url.lower(), timeout=10, headers={"Authorization": f"Bearer {token}"}
            )
            assert lowered.status_code == 400
    assert seen == [u.sub for u in DEMO_USERS] and pages == (len(DEMO_USERS) + 1) // 2


def test_nrps_role_filter_and_auth(live: Live) -> None:
    url = f"{live.url}/sandbox/api/courses/{CTX}/memberships"
    assert requests.get(url, timeout=10).status_code == 401
    token = live.token(NRPS_SCOPE)
    resp = requests.get(
        url, params={"role": "Instructor"}, timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    assert [m["user_id"] for m in resp.json()["members"]] == ["sandbox-ada", "sandbox-tomas"]
    score_only = live.token(AGS_SCORE)
    assert (
        requests.get(url, timeout=10, headers={"Authorization": f"Bearer {score_only}"}).status_code
        == 403
    )


def test_token_endpoint_refuses_replay_wrong_audience_and_unknown_scopes(live: Live) -> None:
    token_url = live.sandbox.platform.token_url
    base = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "scope": NRPS_SCOPE,
    }
    assertion = live.sign_assertion()
    first = requests.post(token_url, data={**base, "client_assertion": assertion}, timeout=10)
    assert first.status_code == 200 and first.json()["token_type"] == "Bearer"
    assert first.json()["expires_in"] == 3600 and first.json()["scope"] == NRPS_SCOPE
    replay = requests.post(token_url, data={**base, "client_assertion": assertion}, timeout=10)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    wrong_aud = live.sign_assertion(aud=live.url + "/elsewhere")
    resp = requests.post(token_url, data={**base, "client_assertion": wrong_aud}, timeout=10)
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"
    resp = requests.post(
        token_url,
        timeout=10,
        data={**base, "client_assertion": live.sign_assertion(), "scope": "https://example.org/x"},
    )
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_scope"


# -- (d) AGS scores -------------------------------------------------------------------
def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_score_timestamps_must_increase_and_show_in_grades(live: Live) -> None:
    auth = {"Authorization": f"Bearer {live.token(AGS_LINEITEM, AGS_SCORE)}"}
    created = requests.post(
        f"{live.url}/sandbox/api/courses/{CTX}/lineitems",
        timeout=10,
        json={"label": "Learning gain", "scoreMaximum": 100, "tag": "peerlift-gain"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    item_url = created.json()["id"]
    assert "?type_id=1" in item_url
    path, query = item_url.split("?")
    scores_url = f"{path}/scores?{query}"
    now = datetime.now(UTC)

    def post(moment: datetime, given: float, comment: str) -> requests.Response:
        body = {
            "userId": LEARNER,
            "scoreGiven": given,
            "scoreMaximum": 100,
            "comment": comment,
            "timestamp": _iso(moment),
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
        }
        return requests.post(
            scores_url, json=body, timeout=10, headers={**auth, "Content-Type": SCORE_MEDIA}
        )

    assert post(now, 70, "First pass").status_code == 204
    older = post(now - timedelta(seconds=30), 10, "Stale")
    assert older.status_code == 409, older.text
    assert post(now + timedelta(seconds=5), 85, "Well argued").status_code == 204
    no_query = requests.post(
        f"{path}/scores", json={}, timeout=10, headers={**auth, "Content-Type": SCORE_MEDIA}
    )
    assert no_query.status_code == 400
    grades = requests.get(live.url + "/sandbox/grades", timeout=10).text
    assert "Learning gain" in grades and "85 / 100" in grades and "Well argued" in grades
    assert "Stale" not in grades and "409" in grades


def test_score_validation(live: Live) -> None:
    auth = {"Authorization": f"Bearer {live.token(AGS_LINEITEM, AGS_SCORE)}"}
    item_url = requests.post(
        f"{live.url}/sandbox/api/courses/{CTX}/lineitems",
        timeout=10,
        json={"label": "Checks", "scoreMaximum": 10},
        headers=auth,
    ).json()["id"]
    path, query = item_url.split("?")
    good = {
        "userId": LEARNER,
        "scoreGiven": 5,
        "scoreMaximum": 10,
        "timestamp": _iso(datetime.now(UTC)),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    for bad in (
        {"userId": INSTRUCTOR},
        {"scoreGiven": -1},
        {"scoreMaximum": 0},
        {"gradingProgress": "Done"},
        {"timestamp": "yesterday"},
    ):
        resp = requests.post(
            f"{path}/scores?{query}",
            json={**good, **bad},
            timeout=10,
            headers={**auth, "Content-Type": SCORE_MEDIA},
        )
        assert resp.status_code == 400, bad
    wrong_type = requests.post(f"{path}/scores?{query}", json=good, timeout=10, headers=auth)
    assert wrong_type.status_code == 415


def test_lineitems_filters_paging_update_delete_and_results(live: Live) -> None:
    scopes = (AGS_LINEITEM, AGS_SCORE, AGS_RESULT_READONLY)
    auth = {"Authorization": f"Bearer {live.token(*scopes)}"}
    container = f"{live.url}/sandbox/api/courses/{CTX}/lineitems"
    made = [
        requests.post(
            container,
            headers=auth,
            timeout=10,
            json={"label": f"Part {n}", "scoreMaximum": 20, "tag": "crud", "resourceId": f"r{n}"},
        ).json()
        for n in range(3)
    ]
    listed: list[dict[str, Any]] = []
    url: str | None = f"{container}?tag=crud&limit=2"
    while url:
        resp = requests.get(url, headers=auth, timeout=10)
        listed += resp.json()
        url = resp.links.get("next", {}).get("url")
    assert [i["id"] for i in listed] == [m["id"] for m in made]
    only = requests.get(container, params={"resource_id": "r1"}, headers=auth, timeout=10)
    assert [i["label"] for i in only.json()] == ["Part 1"]
    bad_link = requests.post(
        container,
        headers=auth,
        timeout=10,
        json={"label": "x", "scoreMaximum": 1, "resourceLinkId": "nope"},
    )
    assert bad_link.status_code == 404

    item = made[0]["id"]
    renamed = requests.put(
        item,
        headers=auth,
        timeout=10,
        json={"label": "Part zero", "scoreMaximum": 40, "tag": "crud"},
    )
    assert renamed.status_code == 200 and renamed.json()["label"] == "Part zero"
    path, query = item.split("?")
    score = {
        "userId": LEARNER,
        "scoreGiven": 10,
        "scoreMaximum": 20,
        "comment": "ok",
        "timestamp": _iso(datetime.now(UTC)),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    requests.post(
        f"{path}/scores?{query}",
        json=score,
        timeout=10,
        headers={**auth, "Content-Type": SCORE_MEDIA},
    )
    results = requests.get(f"{path}/results?{query}", headers=auth, timeout=10).json()
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
        (LEARNER, 20, 40)
    ]
    assert requests.delete(item, headers=auth, timeout=10).status_code == 204
    assert requests.get(item, headers=auth, timeout=10).status_code == 404


# -- (e) OIDC auth errors -------------------------------------------------------------
def test_auth_with_wrong_redirect_uri_posts_back_invalid_request(live: Live) -> None:
    platform = live.sandbox.platform
    resp = requests.get(
        platform.auth_login_url,
        timeout=10,
        params={
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": platform.client_id,
            "redirect_uri": "https://attacker.example/steal",
            "login_hint": "x",
            "lti_message_hint": "y",
            "state": "st-123",
            "nonce": "n-1",
        },
    )
    form = Page(resp.text).forms[0]
    fields = dict(form.fields)
    assert fields["error"] == "invalid_request" and fields["state"] == "st-123"
    assert "redirect_uri" in fields["error_description"]
    # Never to the unregistered URI (RFC 6749 §4.1.2.1): back to the registered one.
    assert form.action == live.url + "/lti/launch"
    assert "attacker" not in form.action


def test_auth_with_unknown_user_hint_is_login_required(live: Live) -> None:
    platform = live.sandbox.platform
    resp = requests.post(
        platform.auth_login_url,
        timeout=10,
        data={
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "client_id": platform.client_id,
            "redirect_uri": live.url + "/lti/launch",
            "login_hint": "forged",
            "state": "s",
            "nonce": "n",
        },
    )
    assert dict(Page(resp.text).forms[0].fields)["error"] == "login_required"


# -- (f) dynamic registration ---------------------------------------------------------
def _registration_body(tool: str) -> dict[str, Any]:
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool + "/lti/login",
        "redirect_uris": [tool + "/lti/launch"],
        "client_name": "Peerlift",
        "jwks_uri": tool + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": NRPS_SCOPE,
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urlsplit(tool).netloc,
            "target_link_uri": tool + "/lti/launch",
            "claims": ["iss", "sub", "name"],
            "messages": [{"type": "LtiDeepLinkingRequest"}],
        },
    }


def test_dynamic_registration_token_is_single_use(live: Live) -> None:
    browser = requests.Session()
    page = browser.post(
        live.url + "/sandbox/register",
        timeout=10,
        data={"url": live.url + "/lti/register?invite=abc"},
    )
    src = Page(page.text).iframes["registration"]["src"]
    query = parse_qs(urlsplit(src).query)
    assert query["invite"] == ["abc"]
    config = requests.get(query["openid_configuration"][0], timeout=10).json()
    platform_config = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert platform_config["product_family_code"] == "peerlift-sandbox"
    auth = {"Authorization": "Bearer " + query["registration_token"][0]}
    body = _registration_body(live.url)
    bad = requests.post(
        config["registration_endpoint"],
        timeout=10,
        headers=auth,
        json={**body, "token_endpoint_auth_method": "client_secret_basic"},
    )
    assert bad.status_code == 400 and "token_endpoint_auth_method" in bad.text
    first = requests.post(config["registration_endpoint"], json=body, headers=auth, timeout=10)
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["client_id"] and answer["client_name"] == "Peerlift"
    assert answer["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"]
    again = requests.post(config["registration_endpoint"], json=body, headers=auth, timeout=10)
    assert again.status_code == 401
    listed = browser.get(live.url + "/sandbox/register", timeout=10).text
    assert answer["client_id"] in listed


def test_sandbox_register_command_is_idempotent(live: Live) -> None:
    result = live.app.test_cli_runner().invoke(args=["sandbox", "register"])
    assert result.exit_code == 0, result.output
    assert f"iss={live.url}/sandbox" in result.output
    assert result.output.count("sandbox-deployment-1") == 1
