"""JSON answers of the sandbox's service APIs: errors, LTI media types, RFC 8288 paging."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, jsonify, request

T = TypeVar("T")

#: Upper bound for ``limit``; like real platforms, the sandbox caps page size.
MAX_LIMIT = 1000
_BOOKMARK = "bookmark:"


class ApiError(Exception):
    """A service request the sandbox refuses; rendered as JSON by the app."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {
            400: "invalid_request",
            401: "invalid_token",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            415: "unsupported_media_type",
        }.get(status, "error")
        self.headers = headers or {}

    def response(self) -> Response:
        resp = jsonify(error=self.code, error_description=self.message)
        resp.status_code = self.status
        resp.headers.update(self.headers)
        return resp


def media_json(
    body: Any, media_type: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """JSON with an LTI media type (e.g. ``application/vnd.ims.lis.v2.lineitem+json``)."""
    resp = Response(json.dumps(body), status=status, mimetype=media_type)
    resp.headers.update(headers or {})
    return resp


def json_body() -> dict[str, Any]:
    """The request's JSON object, whatever JSON media type it was sent with."""
    try:
        body = json.loads(request.get_data(as_text=True))
    except ValueError as exc:
        raise ApiError(400, f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    return body


def _limit() -> int | None:
    raw = request.args.get("limit")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _offset() -> int:
    """Decode the opaque ``page`` bookmark. Bookmarks are base64 and so mixed-case:
    a client that lower-cases the ``next`` URL (pylti1p3 2.0 does) lands here."""
    raw = request.args.get("page")
    if raw is None:
        return 0
    try:
        if not raw.startswith(_BOOKMARK):
            raise ValueError("no bookmark prefix")
        encoded = raw[len(_BOOKMARK) :]
        data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        offset = data["offset"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("bad offset")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ApiError(
            400,
            "unknown page bookmark; bookmarks are case-sensitive, follow the "
            "Link header's next URL exactly as sent",
        ) from exc
    return offset


def _bookmark(offset: int) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()
    return _BOOKMARK + encoded.rstrip("=")


def paginate(items: Sequence[T]) -> tuple[Sequence[T], dict[str, str]]:
    """One page of ``items`` per the request's ``limit``/``page``, and the headers
    (``Link: <…>; rel="next"``) pointing at the next page, if any."""
    limit = _limit()
    offset = _offset()
    if limit is None:
        return items[offset:], {}
    page = items[offset : offset + limit]
    if offset + limit >= len(items):
        return page, {}
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    query.append(("page", _bookmark(offset + limit)))
    return page, {"Link": f'<{request.base_url}?{urlencode(query)}>; rel="next"'}
