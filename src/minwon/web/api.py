"""The JSON API shell (django-ninja): authentication, idempotency keys, errors.

Every app contributes a ``router`` in its ``api.py``; paths are absolute (``/persons``).
Errors are JSON: ``{"code", "message" (Korean), "message_en", "field"}``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import logging
import typing
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from pydantic import BaseModel

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, sql
from minwon.kernel.errors import DomainError, IdempotencyConflict, ValidationFailed
from minwon.kernel.types import Actor, ActorKind, idempotency_uuid

log = logging.getLogger(__name__)


class ErrorOut(Schema):
    """The body of every 4xx/5xx: a code, the Korean and English message and the field."""

    code: str
    message: str
    message_en: str
    field: str | None = None


#: Declare these on every operation that takes input, so the schema tells the truth.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


#: ``openapi_extra`` of an operation that reads by POST because what it is asked carries
#: personal data (a birth date, a resident number, a PIN: never in a URL, ``web.urlguard``).
#: The authorisation matrix (tests/web/test_authz_matrix.py) asks every such operation as it
#: asks every GET.
READ_BY_POST: dict[str, Any] = {"x-minwon-read": True}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class AgencyKeyAuth(APIKeyHeader):
    """``X-Api-Key: <prefix>.<secret>`` for agency systems."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from minwon.accounts.models import AgencyClient

        if not key:
            return None
        client = AgencyClient.objects.filter(key_hash=key_hash(key), active=True).first()
        if client is None:
            return None
        request.minwon_actor = Actor(ActorKind.AGENCY, client.pk, client.name)  # type: ignore[attr-defined]
        return client


class StaffTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /api/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from minwon.accounts.models import ApiToken, User

        found = _token_user().rows(key_hash(token), sql.prep(ApiToken, "expires_at", clock.now()))
        user = sql.instances(User, [f.attname for f in User._meta.concrete_fields], found)
        if not user or not user[0].is_active:
            return None
        request.user = user[0]
        request.minwon_actor = Actor(ActorKind.STAFF, user[0].pk, user[0].username)  # type: ignore[attr-defined]
        return user[0]


@functools.cache
def _token_user() -> sql.Select:
    """The user of a live token in one precompiled join: every API call of staff pays for
    this, and building the same queryset each time cost more than the look-up itself."""
    from minwon.accounts.models import ApiToken, User

    fields = list(User._meta.concrete_fields)
    user, token = User._meta.db_table, ApiToken._meta.db_table
    columns = ", ".join(f'u."{f.column}"' for f in fields)
    return sql.Select(
        f'SELECT {columns} FROM "{user}" u JOIN "{token}" t ON t."user_id" = u."id"'  # noqa: S608
        ' WHERE t."key_hash" = %s AND NOT t."revoked" AND t."expires_at" > %s LIMIT 1',
        fields,
    )


class LoggedInSession(SessionAuth):
    """A logged-in browser session (citizen pages calling the API)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            request.minwon_actor = actor_for_request(request)  # type: ignore[attr-defined]
        return user


AUTH = [AgencyKeyAuth(), StaffTokenAuth(), LoggedInSession()]

api = NinjaAPI(
    title="minwon API",
    version="1",
    description=(
        "minwon: 민원·주민등록·제증명·행정정보 공동이용 API. Errors are JSON objects with "
        "`code`, `message` (Korean), `message_en` and `field`. POST requests accept an "
        "`Idempotency-Key` header: a repeat returns the first result."
    ),
    urls_namespace="api",
    auth=AUTH,
)


def command_id(request: HttpRequest) -> uuid.UUID:
    """The command id for a POST: from ``Idempotency-Key`` (scoped to the caller) or new."""
    key = request.headers.get("Idempotency-Key")
    if key:
        key = key.strip()
        if not key or len(key) > 200:
            raise DomainError(
                "Idempotency-Key는 1~200자여야 합니다.",
                "Idempotency-Key must be 1-200 characters.",
                field="Idempotency-Key",
            )
        return idempotency_uuid(actor_for_request(request), key)
    return uuid.uuid4()


def error_body(
    code: str, ko: str, en: str, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"code": code, "message": ko, "message_en": en, "field": field}
    body.update(extra)
    return body


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 409 if isinstance(exc, IdempotencyConflict) else exc.status
    return api.create_response(request, exc.as_dict(), status=status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [
        str(p)
        for p in first.get("loc", ())
        if p not in ("body", "query", "path", "header", "payload")
    ]
    field = ".".join(loc) or None
    detail = first.get("msg", "")
    return api.create_response(
        request,
        error_body(
            "validation_failed",
            f"입력값이 올바르지 않습니다: {field or '요청'} ({detail})",
            f"Invalid input: {field or 'request'} ({detail})",
            field,
            errors=[
                {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                for e in exc.errors
            ],
        ),
        status=400,
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number too large for the database (an id of 2**70, say) is the client's mistake:
    a 400, not a 500, whichever parameter carried it."""
    return api.create_response(
        request,
        error_body(
            "out_of_range",
            "입력한 값이 허용 범위를 벗어났습니다. 숫자와 길이를 확인하세요.",
            "A value is out of range; check numbers and lengths.",
        ),
        status=400,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("unauthenticated", "로그인이 필요합니다.", "Authentication required."),
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, error_body("http_error", str(exc), str(exc)), status=exc.status_code
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """A path no operation serves, or a view's ``Http404``: the same body as a record that
    is absent or out of scope."""
    return api.create_response(
        request,
        error_body("not_found", "찾을 수 없습니다.", "Not found."),
        status=404,
    )


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unforeseen: logged with its traceback, answered in the error shape with
    nothing of the exception in the body."""
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        error_body(
            "server_error",
            "일시적인 오류로 요청을 처리하지 못했습니다. 잠시 후 다시 시도하세요.",
            "The request could not be processed because of an internal error; try again later.",
        ),
        status=500,
    )


def _mentions_datetime(annotation: Any, seen: set[int] | None = None) -> bool:
    """Whether values of ``annotation`` can hold a ``datetime`` (directly, in a container or
    in a schema's fields)."""
    seen = seen if seen is not None else set()
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    if annotation is datetime:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_mentions_datetime(f.annotation, seen) for f in annotation.model_fields.values())
    return any(_mentions_datetime(arg, seen) for arg in typing.get_args(annotation))


def _naive_at(value: Any, path: str) -> str | None:
    """The path of the first datetime without a UTC offset inside ``value``, if any."""
    if isinstance(value, datetime):
        return path if value.utcoffset() is None else None
    if isinstance(value, BaseModel):
        pairs: Any = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list | tuple):
        pairs = enumerate(value)
    else:
        return None
    for key, item in pairs:
        found = _naive_at(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def refuse_naive_times(view: Callable[..., Any]) -> Callable[..., Any]:
    """Every operation taking a date-time refuses one without an offset: ``2026-01-01T00:00``
    could be Seoul or UTC, and guessing moves a deadline or a backup by nine hours. Wraps
    only operations whose parameters can hold a datetime (decided once, at start-up)."""
    try:
        hints = typing.get_type_hints(view)
    except NameError:  # an annotation that cannot be resolved: check every call
        hints = {"unknown": datetime}
    if not any(_mentions_datetime(t) for name, t in hints.items() if name != "return"):
        return view

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        for name, value in values.items():
            where = _naive_at(value, "" if isinstance(value, BaseModel) else name)
            if where is not None:
                raise ValidationFailed(
                    f"시각에 시간대가 없습니다: {where}. '2026-01-01T09:00:00+09:00'처럼 "
                    "+09:00(한국 표준시)이나 Z(UTC)를 붙이세요.",
                    f"The date-time {where} has no UTC offset; add one, as in "
                    "'2026-01-01T09:00:00+09:00' (Korea) or a trailing Z (UTC).",
                    field=where,
                    code="naive_datetime",
                )
        return view(request, *args, **values)

    return checked


api.add_decorator(refuse_naive_times)


def _autodiscover() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("minwon.") or config.name == "minwon.web":
            continue
        name = f"{config.name}.api"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)


_autodiscover()
