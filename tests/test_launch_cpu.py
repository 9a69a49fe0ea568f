"""Issue 17's CPU cuts on the launch path keep their behaviour: one session token per
page, the same verdict on launch text, templates compiled when a worker starts."""

from __future__ import annotations

import gc
import re
import unicodedata
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.actor import session
from lti_app.launch import input_bounds
from lti_app.warm import compile_templates
from tests.support.lti import LEARNER, token_from


def test_a_launch_signs_one_session_token_for_every_link_and_form_of_its_page(
    lti, monkeypatch
) -> None:
    signed: list[str] = []
    real = session.issue_token

    def counting(*args, **kwargs):
        signed.append(real(*args, **kwargs))
        return signed[-1]

    monkeypatch.setattr(session, "issue_token", counting)
    resp = lti.launch(LEARNER)
    assert resp.status_code == 200
    assert len(signed) == 1
    token = token_from(resp.headers["Content-Location"])
    assert token == signed[0]
    page = resp.get_data(as_text=True)
    carried = set(re.findall(r"[?&;]t=([A-Za-z0-9_.\-]+)", page))
    carried |= set(re.findall(r'name="t" value="([^"]+)"', page))
    assert carried == {token}


def _reference(value: str, *, line_breaks: bool, spaces: bool) -> str | None:
    """The character check as it was before the plain-ASCII shortcut."""
    for ch in value:
        if ch == "\x00":
            return "contains a NUL character"
        if line_breaks and ch in "\t\r\n":
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"contains the control character U+{ord(ch):04X}"
        if category == "Cs":
            return "contains an unpaired surrogate"
        if not spaces and ch.isspace():
            return "contains spaces"
    return None


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(" \t\r\n\x00\x01\x1f\x7f\x85\xa0\u2028\u3000\ud800az~!"),
        st.characters(),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(value=_TEXT, line_breaks=st.booleans(), spaces=st.booleans())
def test_launch_text_gets_the_same_verdict_with_the_plain_ascii_shortcut(
    value: str, line_breaks: bool, spaces: bool
) -> None:
    assert input_bounds._problem(value, line_breaks=line_breaks, spaces=spaces) == _reference(
        value, line_breaks=line_breaks, spaces=spaces
    )


def test_a_new_worker_compiles_every_page_template_and_freezes_start_up_objects(app) -> None:
    import config.gunicorn as gunicorn_config

    app.jinja_env.cache.clear()
    try:
        gunicorn_config.post_worker_init(SimpleNamespace(wsgi=app))
        assert gc.get_freeze_count() > 0  # start-up objects out of the collector's way
    finally:
        gc.unfreeze()
    names = app.jinja_env.list_templates(extensions=("html",))
    assert "activities/show.html" in names
    cached = {key[1] for key in app.jinja_env.cache}
    assert set(names) <= cached
    assert compile_templates(app) == len(names)
