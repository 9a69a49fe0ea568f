"""Who may do what in case discussions: groups, roles, tenants, tokens, sanitised
HTML, over-long posts, and case files."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

from lti_app.extensions import db
from lti_app.sandbox.platform import SandboxPlatform
from tests.conftest import register_platform
from tests.grouping.support import (
    ASHA,
    BRUNO,
    CARLA,
    DEV,
    ELIF,
    FEMI,
    GRETA,
    HUGO,
    OTHER_COURSE,
)
from tests.support.lti import INSTRUCTOR, TA, LtiDriver, token_from

EIGHT = (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO)
XSS = (
    '<p>Fine <strong>bold</strong><script>alert("x1")</script>'
    "<img src=x onerror=\"alert('x2')\"><a href=\"javascript:alert('x3')\">click</a>"
    '<a href="https://ok.test/">ok</a><iframe src="https://evil.test"></iframe>'
    '<p onclick="alert(\'x4\')" style="x">styled</p></p>'
)


class _LiveMarkup(HTMLParser):
    """Collects markup a browser would act on: scripts not of our own, event
    handler attributes, javascript: URLs, embedded frames and images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if (
            tag == "script"
            and not (values.get("src") or "").startswith("/cd/static/")
            and "nonce" not in values
        ):
            self.found.append(f"<script> {values}")
        if tag in ("iframe", "img", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}={value}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value}")


def _assert_inert(page: str) -> None:
    parser = _LiveMarkup()
    parser.feed(page)
    assert parser.found == []


def _two_groups(cd):
    staff = cd.setup(EIGHT)
    groups = cd.groups()
    assert len(groups) == 2, groups
    subs = {u.sub: u for u in EIGHT}
    first, second = ([subs[s] for s in grp] for grp in groups)
    return staff, first, second


def test_a_group_never_sees_nor_posts_in_another_groups_threads(cd) -> None:
    staff, first, second = _two_groups(cd)
    thread = cd.new_thread(first[0], "Our private thread", "Only for group one.")
    post = cd.post_ids(thread)[0]
    outsider = cd.visit(second[0])
    # Not listed, not readable, not pollable.
    assert "Our private thread" not in cd.page(second[0])
    assert cd.thread_page(second[0], thread).status_code == 404
    assert cd.get(outsider, f"threads/{thread}/updates", since="0").status_code == 404
    # Posting, reacting, editing, capturing, locking: all refused, nothing written.
    assert cd.reply(second[0], thread, "Sneaking in").status_code == 404
    for path in (
        f"posts/{post}/helped",
        f"posts/{post}/edit",
        f"posts/{post}/hide",
        f"posts/{post}/capture",
        f"threads/{thread}/lock",
    ):
        assert cd.post(outsider, path, body="x", section="ideas").status_code == 404, path
    assert "Sneaking in" not in cd.thread_page(first[1], thread).get_data(as_text=True)
    # Nor can they start a thread in the other group, or open its tools and summary.
    group = cd.group_of(first[0])
    assert cd.start_thread(second[0], "Intrusion", "x", group=group).status_code == 404
    for path in (f"groups/{group}/participation", f"groups/{group}/summary"):
        assert cd.get(outsider, path).status_code == 404, path
    assert (
        cd.post(
            outsider, f"groups/{group}/nudges", person=cd.person(first[1]), text="hi"
        ).status_code
        == 404
    )
    # Staff read every group.
    assert cd.thread_page(staff, thread).status_code == 200


def test_learner_facilitator_acts_only_on_their_own_group(cd) -> None:
    staff, first, second = _two_groups(cd)
    mine, theirs = cd.group_of(first[0]), cd.group_of(second[0])
    assert (
        cd.post(
            staff, f"groups/{mine}/facilitators", person=cd.person(first[0]), on="1"
        ).status_code
        == 303
    )
    # Only a member of the group can be made its facilitator.
    assert (
        cd.post(
            staff, f"groups/{mine}/facilitators", person=cd.person(second[0]), on="1"
        ).status_code
        == 404
    )
    helper = cd.visit(first[0])
    assert cd.get(helper, f"groups/{mine}/participation").status_code == 200
    assert cd.get(helper, f"groups/{theirs}/participation").status_code == 404
    assert (
        cd.post(helper, f"groups/{theirs}/summary/items", section="ideas", body="x").status_code
        == 404
    )
    # Ordinary members get no facilitator tools.
    member = cd.visit(first[1])
    assert cd.get(member, f"groups/{mine}/participation").status_code == 403
    assert (
        cd.post(member, f"groups/{mine}/summary/items", section="ideas", body="x").status_code
        == 403
    )
    assert cd.post(member, f"groups/{mine}/summary/publish").status_code == 403
    assert (
        cd.post(member, f"groups/{mine}/nudges", person=cd.person(first[2]), text="hi").status_code
        == 403
    )
    # Learners cannot hand out the role or write the case.
    assert (
        cd.post(
            helper, f"groups/{mine}/facilitators", person=cd.person(first[1]), on="1"
        ).status_code
        == 403
    )
    assert cd.post(helper, "case", title="Mine now").status_code == 403
    assert cd.get(helper, "case").status_code == 403


def test_teaching_assistants_facilitate_every_group(cd) -> None:
    _, first, _ = _two_groups(cd)
    ta = cd.g.enter(TA)
    group = cd.group_of(first[0])
    assert cd.get(ta, f"groups/{group}/participation").status_code == 200
    assert (
        cd.post(ta, f"groups/{group}/summary/items", section="context", body="Context").status_code
        == 303
    )


def test_xss_in_posts_titles_summaries_cases_and_nudges_is_rendered_inert(cd) -> None:
    staff = cd.setup((ASHA, BRUNO, CARLA, DEV))
    group = cd.group_of(ASHA)
    assert (
        cd.post(
            staff,
            "case",
            title='<script>alert("t")</script>Case',
            body=XSS,
            links="x | javascript:alert(1)",
        ).status_code
        == 422
    )
    assert (
        cd.post(
            staff,
            "case",
            title='<b onmouseover="alert(1)">Case</b>',
            body=XSS,
            links="Safe | https://ok.test/",
        ).status_code
        == 303
    )
    thread = cd.new_thread(BRUNO, '<img src=x onerror="alert(1)">Title', XSS)
    assert cd.reply(CARLA, thread, XSS).status_code == 303
    page = cd.thread_page(DEV, thread).get_data(as_text=True)
    _assert_inert(page)
    assert "<strong>bold</strong>" in page and 'alert("x1")' not in html.unescape(page)
    assert '<a href="https://ok.test/" rel="noopener noreferrer">ok</a>' in page
    assert "&lt;img src=x onerror" in page  # titles are text, escaped
    post = cd.post_ids(thread)[1]
    assert cd.post(staff, f"posts/{post}/capture", section="ideas").status_code == 303
    assert (
        cd.post(staff, f"groups/{group}/summary/items", section="resources", body=XSS).status_code
        == 303
    )
    assert cd.post(staff, f"groups/{group}/summary/publish").status_code == 303
    resp = cd.post(
        staff,
        f"groups/{group}/nudges",
        person=cd.person(DEV),
        text='<script>alert("n")</script>Come back',
    )
    assert resp.status_code == 303
    views = [
        cd.page(DEV),
        cd.page(staff),
        cd.get(cd.visit(DEV), f"groups/{group}/summary").get_data(as_text=True),
        cd.get(staff, f"groups/{group}/summary").get_data(as_text=True),
        cd.client.get("/cd/library", query_string={"t": staff.token}).get_data(as_text=True),
        cd.get(staff, f"groups/{group}/participation").get_data(as_text=True),
        cd.get(cd.visit(DEV), f"threads/{thread}/updates", since="0").get_data(as_text=True),
    ]
    for page in views:
        # Escaped text (in textareas and notices) is inert; no live markup survives.
        _assert_inert(page)
    assert "&lt;script&gt;alert(&#34;n&#34;)&lt;/script&gt;Come back" in views[0]
    assert "Case" in html.unescape(views[0]) and "<b onmouseover" not in views[0]


def test_very_long_posts_are_refused_with_a_clear_message_and_the_text_kept(cd) -> None:
    cd.setup((ASHA, BRUNO, CARLA, DEV))
    long_text = "word " * 4001 + "THE-END"
    resp = cd.start_thread(BRUNO, "Too long", long_text)
    assert resp.status_code == 422
    body = html.unescape(resp.get_data(as_text=True))
    assert "the limit is 20,000" in body and "THE-END" in body
    thread = cd.new_thread(BRUNO)
    resp = cd.reply(CARLA, thread, long_text)
    assert resp.status_code == 422
    body = html.unescape(resp.get_data(as_text=True))
    assert "the limit is 20,000" in body and "Your text is still in the box below" in body
    assert re.search(r"<textarea[^>]*>word word", body)
    assert len(cd.post_ids(thread)) == 1
    assert cd.reply(CARLA, thread, "   ").status_code == 422


def test_every_post_needs_the_session_token(cd) -> None:
    staff = cd.setup((ASHA, BRUNO, CARLA, DEV))
    thread = cd.new_thread(BRUNO)
    post = cd.post_ids(thread)[0]
    group = cd.group_of(ASHA)
    base = f"/cd/{cd.activity}"
    for path in (
        f"threads/{thread}/posts",
        f"posts/{post}/edit",
        f"posts/{post}/helped",
        f"posts/{post}/hide",
        f"threads/{thread}/lock",
        f"groups/{group}/threads",
        f"groups/{group}/nudges",
        f"groups/{group}/summary/publish",
        "case",
    ):
        assert cd.client.post(f"{base}/{path}", data={"body": "x"}).status_code == 401, path
    # A forged token is no better.
    assert (
        cd.client.post(
            f"{base}/threads/{thread}/posts", data={"t": staff.token[:-4] + "AAAA", "body": "x"}
        ).status_code
        == 401
    )


def test_another_course_activity_gives_404(cd) -> None:
    cd.setup((ASHA, BRUNO, CARLA, DEV))
    thread = cd.new_thread(BRUNO)
    group = cd.group_of(ASHA)
    mine = cd.activity
    theirs = cd.g.create_activity("case_discussion", link="other-link", context=OTHER_COURSE)
    other_staff = cd.g.enter(INSTRUCTOR, context=OTHER_COURSE, link="other-link")
    for method, path in (
        ("GET", f"/cd/{mine}/threads/{thread}"),
        ("GET", f"/cd/{mine}/groups/{group}/participation"),
        ("POST", f"/cd/{mine}/threads/{thread}/posts"),
        ("GET", f"/cd/{mine}/case"),
        ("GET", f"/cd/{theirs}/threads/{thread}"),
    ):
        resp = cd.client.open(
            path,
            method=method,
            data={"t": other_staff.token, "body": "x"},
            query_string={"t": other_staff.token} if method == "GET" else None,
        )
        assert resp.status_code == 404, (method, path)
    # The library only lists the caller's own course.
    assert cd.client.get("/cd/library", query_string={"t": other_staff.token}).status_code == 200


def test_a_learner_from_another_platform_gets_404(cd, app, platform_server) -> None:
    cd.setup((ASHA, BRUNO, CARLA, DEV))
    thread = cd.new_thread(BRUNO, "Home platform only", "Private")
    group = cd.group_of(ASHA)
    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    other = LtiDriver(app.test_client(), twin)
    stranger = token_from(
        other.launch(BRUNO, resource_link={"id": "grp-link"}).headers["Content-Location"]
    )
    for method, path in (
        ("GET", f"/cd/{cd.activity}/threads/{thread}"),
        ("GET", f"/cd/{cd.activity}/threads/{thread}/updates"),
        ("POST", f"/cd/{cd.activity}/threads/{thread}/posts"),
        ("GET", f"/cd/{cd.activity}/groups/{group}/summary"),
        ("POST", f"/cd/{cd.activity}/groups/{group}/threads"),
    ):
        resp = cd.client.open(
            path,
            method=method,
            data={"t": stranger, "body": "x", "title": "x"},
            query_string={"t": stranger} if method == "GET" else None,
        )
        assert resp.status_code == 404, (method, path)


def test_case_files_are_checked_and_served_only_to_the_course(cd, tmp_path) -> None:
    cd.app.config["CASE_DISCUSSION_UPLOAD_DIR"] = str(tmp_path / "cd-files")
    staff = cd.setup((ASHA, BRUNO, CARLA, DEV))
    upload = f"/cd/{cd.activity}/case/files"
    resp = cd.client.post(
        upload,
        data={"t": staff.token, "file": (io.BytesIO(b"<script>alert(1)</script>"), "evil.html")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "Attach a PDF" in resp.get_data(as_text=True)
    resp = cd.client.post(
        upload,
        data={"t": staff.token, "file": (io.BytesIO(b"MZ not a pdf"), "fake.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    cd.app.config["CASE_DISCUSSION_MAX_UPLOAD_BYTES"] = 10
    resp = cd.client.post(
        upload,
        data={"t": staff.token, "file": (io.BytesIO(b"%PDF-1.4 far too long"), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413 and "too large" in resp.get_data(as_text=True)
    assert "The budget freeze" in resp.get_data(as_text=True)  # the editor keeps the case
    cd.app.config["CASE_DISCUSSION_MAX_UPLOAD_BYTES"] = 1024
    resp = cd.client.post(
        upload,
        data={"t": staff.token, "file": (io.BytesIO(b"%PDF-1.4 the case"), "../../Case brief.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    stored = list((tmp_path / "cd-files").iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".bin"
    page = cd.page(BRUNO)
    link = re.search(r'href="(/cd/[^"]+/files/[^"]+)"', page)
    assert link is not None and "Case_brief.pdf" in page
    resp = cd.client.get(html.unescape(link.group(1)))
    assert resp.status_code == 200 and resp.data == b"%PDF-1.4 the case"
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    resp.close()
    # Someone of another course cannot fetch it.
    file_path = html.unescape(link.group(1)).split("?")[0]
    cd.g.create_activity("case_discussion", link="other-link", context=OTHER_COURSE)
    other = cd.g.enter(INSTRUCTOR, context=OTHER_COURSE, link="other-link")
    assert cd.client.get(file_path, query_string={"t": other.token}).status_code == 404
    assert cd.client.get(file_path).status_code == 401
