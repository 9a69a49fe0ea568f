"""The sandbox LMS's state: course, people, resource links, line items, scores, tokens.

One JSON document behind a lock. With a path it is written atomically after
every change and re-read when the file changed under us, so ``flask sandbox
reset`` (which deletes the file) takes effect in a running dev server and two
processes (server + CLI) see each other's writes. Without a path it lives in
memory only (tests). The course and its people are fixed demo data
(:data:`DEMO_COURSE`, :data:`DEMO_USERS`); everything else starts empty.

Every public method returns copies, so callers cannot change state without
going through the lock.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from lti_app.sandbox.platform import DEMO_COURSE, DEMO_USERS, MEMBERSHIP, SandboxUser

#: The service-call log keeps this many entries.
LOG_SIZE = 50
#: How long a deep-linking request may take before its ``data`` is forgotten.
DL_REQUEST_TTL_S = 3600
#: How long a dynamic-registration token stays usable.
REGISTRATION_TOKEN_TTL_S = 3600

State = dict[str, Any]
DEMO_COURSE_ID = str(DEMO_COURSE["id"])


def _empty() -> State:
    return {
        "links": {},
        "lineitems": {},
        "scores": {},
        "tokens": {},
        "jtis": {},
        "registration_tokens": {},
        "registrations": [],
        "dl_requests": {},
        "calls": [],
    }


def is_learner(user: SandboxUser) -> bool:
    """Only learners have a gradebook row (Moodle refuses scores for teachers)."""
    return MEMBERSHIP + "Learner" in user.roles


def is_staff(user: SandboxUser) -> bool:
    """Who may add content (start deep linking): instructors, including TAs."""
    return any(
        r == MEMBERSHIP + "Instructor" or r.startswith(MEMBERSHIP[:-1] + "/Instructor#")
        for r in user.roles
    )


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp with an offset; naive times are ambiguous, so refused."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return parsed


class SandboxStore:
    """Thread-safe sandbox state, persisted to ``path`` when given."""

    def __init__(self, path: Path | None = None, extra_members: Sequence[SandboxUser] = ()):
        self.path = path
        #: The demo people plus any generated ones (benchmarks: a 10,000-member course).
        self._members = (*DEMO_USERS, *extra_members)
        self._by_sub = {u.sub: u for u in self._members}
        self._lock = threading.RLock()
        self._state = _empty()
        self._seen: tuple[int, int] | None = None
        self._sync()

    # -- persistence --------------------------------------------------------
    def _file_version(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def _sync(self) -> None:
        """Re-read the file when someone else changed (or deleted) it."""
        if self.path is None:
            return
        version = self._file_version()
        if version == self._seen:
            return
        state = _empty()
        if version is not None:
            state.update(json.loads(self.path.read_text(encoding="utf-8")))
        self._state, self._seen = state, version

    def _save(self) -> None:
        """Write to a temporary file and rename it, so readers never see half a file."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sandbox-state-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._state, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
        self._seen = self._file_version()

    @contextmanager
    def _read(self) -> Iterator[State]:
        with self._lock:
            self._sync()
            yield self._state

    @contextmanager
    def _edit(self) -> Iterator[State]:
        with self._lock:
            self._sync()
            yield self._state
            self._save()

    def reset(self) -> None:
        """Forget everything but the fixed course and people."""
        with self._lock:
            self._state = _empty()
            if self.path is not None:
                self.path.unlink(missing_ok=True)
            self._seen = None

    # -- course and people (fixed demo data) --------------------------------
    @staticmethod
    def course(ctx_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(DEMO_COURSE) if ctx_id == DEMO_COURSE_ID else None

    def members(self) -> tuple[SandboxUser, ...]:
        return self._members

    def user(self, sub: str) -> SandboxUser | None:
        return self._by_sub.get(sub)

    # -- resource links -----------------------------------------------------
    def add_link(
        self, ctx_id: str, *, url: str, title: str, text: str, custom: dict[str, str]
    ) -> State:
        link = {
            "id": "link-" + secrets.token_urlsafe(9),
            "context_id": ctx_id,
            "url": url,
            "title": title,
            "text": text,
            "custom": custom,
            "lineitem_id": None,
            "created_at": time.time(),
        }
        with self._edit() as state:
            state["links"][link["id"]] = link
            return copy.deepcopy(link)

    def couple(self, link_id: str, lineitem_id: str) -> None:
        """Make a line item the link's coupled one (its URL goes into launches)."""
        with self._edit() as state:
            state["links"][link_id]["lineitem_id"] = lineitem_id

    def links(self, ctx_id: str) -> list[State]:
        with self._read() as state:
            found = [v for v in state["links"].values() if v["context_id"] == ctx_id]
            return copy.deepcopy(sorted(found, key=lambda v: v["created_at"]))

    def link(self, ctx_id: str, link_id: str) -> State | None:
        with self._read() as state:
            link = state["links"].get(link_id)
            return copy.deepcopy(link) if link and link["context_id"] == ctx_id else None

    # -- line items ---------------------------------------------------------
    def add_lineitem(self, ctx_id: str, fields: dict[str, Any]) -> State:
        item = {**fields, "id": secrets.token_hex(4), "context_id": ctx_id}
        with self._edit() as state:
            state["lineitems"][item["id"]] = item
            return copy.deepcopy(item)

    def lineitems(self, ctx_id: str) -> list[State]:
        with self._read() as state:
            return copy.deepcopy(
                [v for v in state["lineitems"].values() if v["context_id"] == ctx_id]
            )

    def lineitem(self, ctx_id: str, item_id: str) -> State | None:
        with self._read() as state:
            item = state["lineitems"].get(item_id)
            return copy.deepcopy(item) if item and item["context_id"] == ctx_id else None

    def update_lineitem(self, ctx_id: str, item_id: str, fields: dict[str, Any]) -> State | None:
        with self._edit() as state:
            item: State | None = state["lineitems"].get(item_id)
            if item is None or item["context_id"] != ctx_id:
                return None
            item.update(fields)
            return copy.deepcopy(item)

    def delete_lineitem(self, ctx_id: str, item_id: str) -> bool:
        """Delete a line item, its scores, and its coupling to a link."""
        with self._edit() as state:
            item = state["lineitems"].get(item_id)
            if item is None or item["context_id"] != ctx_id:
                return False
            del state["lineitems"][item_id]
            state["scores"].pop(item_id, None)
            for link in state["links"].values():
                if link["lineitem_id"] == item_id:
                    link["lineitem_id"] = None
            return True

    # -- scores -------------------------------------------------------------
    def put_score(self, item_id: str, score: dict[str, Any]) -> bool:
        """Store ``score`` unless the stored one is as new or newer; False if refused.

        Like Moodle, timestamps are compared at whole seconds: a second score in
        the same second is refused, which flushes out tools that send two updates
        with one timestamp.
        """
        new = int(parse_timestamp(score["timestamp"]).timestamp())
        with self._edit() as state:
            per_user = state["scores"].setdefault(item_id, {})
            old = per_user.get(score["userId"])
            if old is not None and int(parse_timestamp(old["timestamp"]).timestamp()) >= new:
                return False
            per_user[score["userId"]] = {**score, "received_at": time.time()}
            accepted = state.setdefault("accepted", {}).setdefault(item_id, {})
            accepted[score["userId"]] = accepted.get(score["userId"], 0) + 1
            return True

    def accepted_counts(self, item_id: str) -> dict[str, int]:
        """How many scores were accepted per user (a tool that sends a score twice
        shows up here)."""
        with self._read() as state:
            return dict(state.get("accepted", {}).get(item_id, {}))

    def revoke_tokens(self) -> None:
        """Forget every access token, as when a platform's tokens expire early."""
        with self._edit() as state:
            state["tokens"] = {}

    def scores(self, item_id: str) -> dict[str, State]:
        """Latest score per user id."""
        with self._read() as state:
            return copy.deepcopy(state["scores"].get(item_id, {}))

    # -- OAuth2 access tokens and assertion ids ----------------------------
    def issue_token(self, scopes: list[str], ttl: int) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._edit() as state:
            state["tokens"] = {k: v for k, v in state["tokens"].items() if v["exp"] > now}
            state["tokens"][token] = {"scopes": scopes, "exp": now + ttl}
        return token

    def token_scopes(self, token: str) -> frozenset[str] | None:
        """The scopes of a live token, or None for an unknown or expired one."""
        with self._read() as state:
            entry = state["tokens"].get(token)
            if entry is None or entry["exp"] <= time.time():
                return None
            return frozenset(entry["scopes"])

    def use_jti(self, jti: str, exp: float) -> bool:
        """Record a client-assertion id; False if it was already used (replay)."""
        now = time.time()
        with self._edit() as state:
            state["jtis"] = {k: v for k, v in state["jtis"].items() if v > now}
            if jti in state["jtis"]:
                return False
            state["jtis"][jti] = max(exp, now)
            return True

    # -- dynamic registration ----------------------------------------------
    def new_registration_token(self) -> str:
        token = secrets.token_urlsafe(24)
        now = time.time()
        with self._edit() as state:
            state["registration_tokens"] = {
                k: v for k, v in state["registration_tokens"].items() if v > now
            }
            state["registration_tokens"][token] = now + REGISTRATION_TOKEN_TTL_S
        return token

    def registration_token_valid(self, token: str) -> bool:
        with self._read() as state:
            expires: float = state["registration_tokens"].get(token, 0)
        return expires > time.time()

    def take_registration_token(self, token: str) -> bool:
        """Use up a registration token; False if unknown, expired or already used."""
        with self._edit() as state:
            expires: float = state["registration_tokens"].pop(token, 0)
        return expires > time.time()

    def add_registration(self, record: dict[str, Any]) -> None:
        with self._edit() as state:
            state["registrations"].append({**record, "received_at": time.time()})

    def registrations(self) -> list[State]:
        with self._read() as state:
            return copy.deepcopy(state["registrations"])

    # -- deep-linking requests ---------------------------------------------
    def new_dl_request(self, ctx_id: str, user_sub: str) -> str:
        """Remember a deep-linking request; its id is the ``data`` the tool must echo."""
        request_id = "dl-" + secrets.token_urlsafe(12)
        now = time.time()
        with self._edit() as state:
            state["dl_requests"] = {
                k: v
                for k, v in state["dl_requests"].items()
                if v["created_at"] > now - DL_REQUEST_TTL_S
            }
            state["dl_requests"][request_id] = {
                "context_id": ctx_id,
                "user": user_sub,
                "created_at": now,
            }
        return request_id

    def take_dl_request(self, request_id: str) -> State | None:
        with self._edit() as state:
            found: State | None = state["dl_requests"].pop(request_id, None)
        if found is None or found["created_at"] <= time.time() - DL_REQUEST_TTL_S:
            return None
        return found

    # -- service-call log ---------------------------------------------------
    def log_call(self, method: str, path: str, status: int) -> None:
        with self._edit() as state:
            state["calls"] = [
                *state["calls"][-(LOG_SIZE - 1) :],
                {"at": time.time(), "method": method, "path": path, "status": status},
            ]

    def calls(self) -> list[State]:
        """The last :data:`LOG_SIZE` service calls, newest first."""
        with self._read() as state:
            return copy.deepcopy(state["calls"][::-1])
