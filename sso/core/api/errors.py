"""How the API refuses a request: one shape for every error, whoever raises it.

    {"code": "required", "detail": "<in the caller's language>", "detail_th": "...", "detail_en": "...",
     "field": "started_on", "fields": {"started_on": {"code", "detail", "detail_th", "detail_en"}}}

`field` is the first field at fault (null when the refusal is about the request as a whole)
and `fields` every field at fault (empty then). Some refusals add to it (a statement's bad
lines in `errors`, say), never take from it.

- `validated_input` and `service_refusals` answer a refused form (400) naming each field,
  with the reason found again in each language;
- `validation_error_response` answers a refused action (409 at the queue's counters);
- `exception_handler` (DRF's EXCEPTION_HANDLER) renders every other error into the same
  shape: DRF's own (validation, authentication, permission, not found, throttled, method,
  media type, parse), Django's Http404, PermissionDenied and ValidationError;
- `page_not_found`, `bad_request` and `server_error` (Django's handlers) answer in the same
  shape under /api/ (a URL that resolves to no view, a request Django refuses itself);
- `error_schema_hook` documents the shape once (the `Error` component) and puts it on every
  operation's 4xx answers.
"""

import functools
import math
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from sso.core.formats import lazy_format

LANGUAGES = ("th", "en")


def _active() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


@functools.cache
def _msgids(language: str) -> dict[str, str]:
    """The language's catalogue turned round: translated text -> msgid."""
    try:
        catalog = translation.trans_real.translation(language)._catalog
        return {text: msgid for msgid, text in catalog.items() if isinstance(msgid, str) and isinstance(text, str)}
    except Exception:  # noqa: BLE001 - a catalogue we cannot read only costs the second language
        return {}


def in_languages(message) -> dict[str, str]:
    """A message in Thai and English. A lazy message is rendered in each; text already
    rendered (DRF renders its messages when it raises) is found again in the catalogues;
    text found nowhere (a message with values in it) is given as it is in both."""
    if isinstance(message, Promise):
        texts = {}
        for language in LANGUAGES:
            with translation.override(language):
                texts[language] = str(message)
        return texts
    text = str(message)
    msgid = _msgids("th").get(text, text)
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = translation.gettext(msgid) if msgid else text
    return texts


def error_body(code: str, texts: dict[str, str], *, fields: dict | None = None) -> dict:
    """The one error shape, from the texts of each language."""
    fields = fields or {}
    return {
        "code": code or "invalid",
        "detail": texts[_active()],
        "detail_th": texts["th"],
        "detail_en": texts["en"],
        "field": next(iter(fields), None),
        "fields": fields,
    }


def _body(by_language: dict[str, dict[str, list[tuple[str, str]]]], code: str | None = None) -> dict:
    """The error body from {language: {field: [(message, code), ...]}}."""
    active = _active()
    fields = {}
    for field, items in by_language[active].items():
        texts = {
            language: " ".join(text for text, _code in by_language[language].get(field, items))
            for language in LANGUAGES
        }
        fields[field] = {"code": items[0][1] or "invalid", "detail": texts[active]} | {
            f"detail_{language}": texts[language] for language in LANGUAGES
        }
    texts = {language: " ".join(entry[f"detail_{language}"] for entry in fields.values()) for language in LANGUAGES}
    first = next(iter(fields.values()), {"code": "invalid"})
    return error_body(code or first["code"], texts, fields=fields)


class Refused(APIException):
    """A request refused with field-keyed reasons (see `_body`); nothing was stored."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, body: dict, status_code: int | None = None):
        self.detail = body  # already the response body
        if status_code is not None:
            self.status_code = status_code


def _refusal(by_language: dict[str, dict[str, list[tuple[str, str]]]]) -> Refused:
    return Refused(_body(by_language))


def _flat(errors, prefix="") -> dict[str, list[tuple[str, str]]]:
    """DRF's nested error structure as {"field" or "field.sub": [(message, code)]}."""
    if isinstance(errors, dict):
        found = {}
        for key, value in errors.items():
            found |= _flat(value, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(errors, list) and errors and not all(isinstance(item, str) for item in errors):
        found = {}
        for index, value in enumerate(errors):
            found |= _flat(value, f"{prefix}.{index}")
        return found
    items = errors if isinstance(errors, list) else [errors]
    return {
        prefix or api_settings.NON_FIELD_ERRORS_KEY: [(str(item), getattr(item, "code", "invalid")) for item in items]
    }


def validated_input(serializer_class, request, data=None, context=None):
    """The validated input, or a `Refused` naming the fields in Thai and English. `context`
    (the request added) is the serializer's: what its validation leaves there stays."""
    data = request.data if data is None else data
    context = {} if context is None else context
    context["request"] = request
    serializer = serializer_class(data=data, context=context)
    if serializer.is_valid():
        return serializer.validated_data
    # DRF words a message when it finds the fault: find the faults again in each language.
    by_language = {}
    for language in LANGUAGES:
        with translation.override(language):
            again = serializer_class(data=data, context=context)
            again.is_valid()
            by_language[language] = _flat(again.errors)
    raise _refusal(by_language)


def _service_messages(exc: ValidationError) -> dict[str, list[tuple[str, str]]]:
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
            (" ".join(error.messages), error.code or "invalid") for error in field_errors
        ]
        for field, field_errors in errors.items()
    }


def _service_body(exc: ValidationError) -> dict:
    """A service's `ValidationError` in the error shape. The service's messages are lazy (see
    sso.core.formats.lazy_format): each is rendered here in every language."""
    by_language = {}
    for language in LANGUAGES:
        with translation.override(language):
            by_language[language] = _service_messages(exc)
    if hasattr(exc, "error_dict"):
        return _body(by_language)
    # A refusal of the action as a whole: its code and reason, no field.
    texts = {
        language: " ".join(text for items in found.values() for text, _code in items)
        for language, found in by_language.items()
    }
    return error_body(getattr(exc, "code", None) or "invalid", texts)


def validation_error_response(exc: ValidationError, status: int = 409) -> Response:
    """A refused action in the error shape: a code, and the reason in the caller's language, Thai and English."""
    return Response(_service_body(exc), status=status)


@contextmanager
def service_refusals():
    """Turn a service's `ValidationError` (its transaction rolled back) into a 400."""
    try:
        yield
    except ValidationError as exc:
        by_language = {}
        for language in LANGUAGES:
            with translation.override(language):
                by_language[language] = _service_messages(exc)
        raise _refusal(by_language) from None


# Every other error ----------------------------------------------------------------------------


def _each_language(render) -> dict[str, str]:
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = render()
    return texts


# DRF's own errors in our words (DRF's Thai catalogue lacks several, and words others oddly).
_OWN_WORDS = {
    exceptions.NotFound: _("Not found: there is no such record in your office, or no such address."),
    exceptions.NotAuthenticated: _("Sign in first: send your API token (Authorization: Token <key>)."),
    exceptions.PermissionDenied: _("Your roles do not allow this."),
    exceptions.NotAcceptable: _("This API answers in JSON only (Accept: application/json)."),
    exceptions.ParseError: _("The request body could not be read: send valid JSON (or the form the operation takes)."),
}
_METHOD_NOT_ALLOWED = _("This address does not accept %(method)s.")
_UNSUPPORTED_MEDIA_TYPE = _("This address does not read a body of type %(media_type)s.")
_THROTTLED = _("Too many requests: try again in %(wait)s seconds.")


def retry_after(wait) -> int:
    """Whole seconds to wait, at least one (DRF's own header rounds down, to 0 under a second)."""
    return max(1, math.ceil(wait))


def _texts_for(exc: APIException, request) -> dict[str, str]:
    """The reason of a DRF exception in each language. DRF renders its message when it
    raises: its default messages are given in our words, any other is found again in the
    catalogues (`in_languages`)."""
    detail = str(exc.detail)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return in_languages(lazy_format(_METHOD_NOT_ALLOWED, {"method": getattr(request, "method", "")}))
    if isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = getattr(request, "content_type", "") or "-"
        return in_languages(lazy_format(_UNSUPPORTED_MEDIA_TYPE, {"media_type": media_type}))
    if isinstance(exc, exceptions.Throttled):
        return in_languages(lazy_format(_THROTTLED, {"wait": retry_after(exc.wait or 1)}))
    own = next((words for kind, words in _OWN_WORDS.items() if type(exc) is kind), None)
    if own is not None and (
        detail == str(exc.default_detail) or isinstance(exc, (exceptions.NotFound, exceptions.ParseError))
    ):
        # Django's "No <model> matches the given query." and a parser's reason say no more, and in English only.
        return in_languages(own)
    return in_languages(detail)


def _code_for(exc: APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def error_for_exception(exc, request=None) -> tuple[dict, int, dict] | None:
    """(body, status, headers) for an exception the API answers, or None (a server error)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ValidationError):
        return _service_body(exc), status.HTTP_400_BAD_REQUEST, {}
    if not isinstance(exc, APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(retry_after(exc.wait))
    if isinstance(exc, Refused):
        body = exc.detail
    elif isinstance(exc, exceptions.ValidationError):
        found = _flat(exc.detail)
        by_language = {language: {} for language in LANGUAGES}
        for field, items in found.items():
            for text, code in items:
                for language, translated in in_languages(text).items():
                    by_language[language].setdefault(field, []).append((translated, code))
        body = _body(by_language)
    else:
        body = error_body(_code_for(exc), _texts_for(exc, request))
    return body, exc.status_code, headers


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error the API answers, in the one shape."""
    found = error_for_exception(exc, context.get("request"))
    if found is None:
        return None
    body, status_code, headers = found
    set_rollback()
    return Response(body, status=status_code, headers=headers)


# Django's own answers under /api/ --------------------------------------------------------------


def error_json(code: str, message, status_code: int) -> JsonResponse:
    """An error in the shape, outside DRF (middleware, Django's handlers)."""
    body = error_body(code, in_languages(message))
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return error_json("not_found", _OWN_WORDS[exceptions.NotFound], 404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        return error_json("bad_request", _("The request could not be understood."), 400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return error_json("server_error", _("Something went wrong on our side; nothing was stored. Try again."), 500)
    return defaults.server_error(request)


# The schema ----------------------------------------------------------------------------------


class ErrorFieldSerializer(serializers.Serializer):
    """Why one field was refused."""

    code = serializers.CharField()
    detail = serializers.CharField(help_text="In the caller's language (Accept-Language; Thai by default).")
    detail_th = serializers.CharField()
    detail_en = serializers.CharField()


ERROR_EXTENSIONS: set[str] = set()


class ErrorSerializer(ErrorFieldSerializer):
    """Every error the API answers (4xx): a code and the reason in Thai and English, and the
    fields at fault. Nothing was stored. A serializer that extends it documents an error
    that adds to this shape."""

    field = serializers.CharField(allow_null=True, help_text="The first field at fault; null for the whole request.")
    fields = serializers.DictField(child=ErrorFieldSerializer(), help_text="Every field at fault (may be empty).")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ERROR_EXTENSIONS.add(cls.__name__.removesuffix("Serializer"))


ERROR_REF = {"$ref": "#/components/schemas/Error"}
# What any operation may answer: its own refusals come on top.
STANDARD_ERRORS = {
    "400": "Refused input (a malformed body, control characters, a value out of range); nothing stored.",
    "401": "No valid credentials: sign in, or send `Authorization: Token <key>`.",
    "403": "The caller's roles do not allow this.",
    "404": "No such record in the caller's office (or no such address).",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}
BODY_ERRORS = {"415": "The body's media type is not one this operation reads."}


def error_schema_hook(result, generator, request, public):
    """drf-spectacular postprocessing: the error shape documented once (`Error`), every 4xx
    answer of every operation described by it, and the errors that extend it as `allOf`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    error = schemas["Error"]  # ErrorSerializer, which the views' refusals name
    for name in ERROR_EXTENSIONS:
        extension = schemas.get(name)
        if extension is None or "allOf" in extension:
            continue
        extra = {key: value for key, value in extension.get("properties", {}).items() if key not in error["properties"]}
        # Optional: the same operation refuses its fields with the plain shape.
        own = {"type": "object", "properties": extra}
        schemas[name] = {"allOf": [ERROR_REF, own]} | (
            {"description": extension["description"]} if "description" in extension else {}
        )
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            standard = STANDARD_ERRORS | (BODY_ERRORS if "requestBody" in operation else {})
            for code, description in standard.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith("4") and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
    return result
