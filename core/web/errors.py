"""Errors: problem+json (RFC 9457) for the API, a readable page for people."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template

from core.audit.denials import denied_lookup
from core.errors import DomainError, InvalidInput, NotFoundError
from core.web.i18n import current_language
from core.web.labels import status_title
from core.web.pages import face_of, path_of

log = logging.getLogger(__name__)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "")


def problem(request: Request, status: int, detail: str, extra: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "instance": request.url.path, **(extra or {})}
    return Response(body, status_code=status, media_type="application/problem+json")


def handle_exception(request: Request, exc: Exception) -> Response:
    response = _answer(request, exc)
    if isinstance(exc, NotFoundError):  # an id not of this entity: in its audit chain
        response.background = denied_lookup(request)
    return response


def _validation_errors(exc: ValidationException) -> Any:
    """Litestar's errors of a refused request, without the ones it makes up: once the
    OpenAPI document was built, a body that fails to convert also lists each path
    parameter the handler does not take, its message the ``KeyError`` of its name
    (``{"message": "'tenant_slug'", "key": "tenant_slug", "source": "path"}``)."""
    if not isinstance(exc.extra, list):
        return exc.extra
    return [item for item in exc.extra if not (
        isinstance(item, dict) and item.get("message") == repr(item.get("key")))]


def _answer(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        status, detail = exc.status_code, exc.detail
        errors = _validation_errors(exc) if isinstance(exc, ValidationException) else []
        extra = {"errors": errors} if errors else {}
    elif isinstance(exc, NotFoundError):
        status, detail, extra = 404, "Not found", {}
    elif isinstance(exc, DomainError):  # 422 unless it says otherwise (413, 415…)
        status, detail, extra = getattr(exc, "status_code", 422), str(exc), {}
        if isinstance(exc, InvalidInput):  # every wrong field, for a client to show
            extra = {"errors": [{"field": e.field, "message": e.message} for e in exc.errors]}
    else:
        log.exception("Unhandled error on %s", request.url.path)
        status, detail, extra = 500, "Internal server error", {}
    if _wants_html(request):
        if isinstance(exc, NotAuthorizedException):
            return Redirect(f"/login?next={path_of(request)}")  # its own slash
        message = str(exc) if isinstance(exc, DomainError) else status_title(status)
        return Template("core:error.html", status_code=status,
                        context={"status": status, "detail": message, "menu": [],
                                 "tenant": request.state.get("tenant"),
                                 "lang": current_language(), "face": face_of(request)})
    return problem(request, status, detail, extra)
