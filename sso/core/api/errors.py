"""How the API refuses a request: a code and the reason in the caller's language, in Thai
and in English. `validation_error_response` answers a refused action (409 at the queue's
counters); `validated_input` and `service_refusals` answer a refused form (400) naming each
field at fault, for the apps whose endpoints mirror the counter's forms."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings


def _messages(exc: ValidationError, language: str) -> str:
    with translation.override(language):
        return " ".join(str(message) for message in exc.messages)


def validation_error_response(exc: ValidationError, status: int = 409) -> Response:
    """A refused action as JSON: a code, and the reason in the caller's language, Thai and English."""
    return Response(
        {
            "code": getattr(exc, "code", None) or "invalid",
            "detail": " ".join(str(message) for message in exc.messages),
            "detail_th": _messages(exc, "th"),
            "detail_en": _messages(exc, "en"),
        },
        status=status,
    )


LANGUAGES = ("th", "en")


class Refused(APIException):
    """A request refused with field-keyed reasons (see `_refusal`); nothing was stored."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, body: dict):
        self.detail = body  # already the response body: DRF's handler answers dicts as they are


def _refusal(by_language: dict[str, dict[str, list[tuple[str, str]]]]) -> Refused:
    """The 400 body from {language: {field: [(message, code), ...]}}."""
    active = "en" if (translation.get_language() or "th").startswith("en") else "th"
    fields = {}
    for field, items in by_language[active].items():
        texts = {
            language: " ".join(text for text, _code in by_language[language].get(field, items))
            for language in LANGUAGES
        }
        fields[field] = {"code": items[0][1] or "invalid", "detail": texts[active]} | {
            f"detail_{language}": texts[language] for language in LANGUAGES
        }
    first = next(iter(fields))
    return Refused(
        {
            "code": fields[first]["code"],
            "field": first,
            **{key: " ".join(entry[key] for entry in fields.values()) for key in ("detail", "detail_th", "detail_en")},
            "fields": fields,
        }
    )


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


def validated_input(serializer_class, request, data=None):
    """The validated input, or a `Refused` naming the fields in Thai and English."""
    data = request.data if data is None else data
    context = {"request": request}
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


@contextmanager
def service_refusals():
    """Turn a service's `ValidationError` (its transaction rolled back) into a 400.

    The service's messages are lazy (see sso.core.formats.lazy_format): each is rendered
    here in every language.
    """
    try:
        yield
    except ValidationError as exc:
        by_language = {}
        for language in LANGUAGES:
            with translation.override(language):
                by_language[language] = _service_messages(exc)
        raise _refusal(by_language) from None
