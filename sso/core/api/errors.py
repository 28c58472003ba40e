from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.response import Response


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
