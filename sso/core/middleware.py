import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sso.core.formats import lazy_format


class ThaiFirstLocaleMiddleware(LocaleMiddleware):
    """Thai unless the user chose otherwise with the language switch.

    Django's own middleware would follow the browser's Accept-Language; counter PCs
    often come with English browsers, but the office works in Thai.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            language = chosen
        elif request.path.startswith("/api/"):
            # API clients say what they want in Accept-Language; Thai otherwise.
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# C0 control characters other than tab, LF and CR: in a query string or a form body,
# raw or percent-encoded; in a JSON body, escaped (\u0000, \b, \f; raw ones are not JSON).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f"
CONTROL_TEXT = re.compile(f"[{_CONTROL}]")
CONTROL_BYTES = re.compile(b"[" + _CONTROL.encode() + b"]")
CONTROL_PERCENT = re.compile(rb"%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])")
# Each search starts from a literal ("%", "\\"): the regular expression engine skips to it.
CONTROL_JSON_CANDIDATE = re.compile(rb"\\(?:u00[01]|[bf])")
# An escape is the backslash that ends an odd run of them ("\\\\b" is a backslash and a "b").
CONTROL_JSON_ESCAPE = re.compile(rb"(\\+)(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|[bf])")
_FORM = "application/x-www-form-urlencoded"


def control_characters_in_json(body: bytes) -> bool:
    """Whether a JSON text escapes a control character in a string. Most bodies hold no
    backslash at all: one byte search then answers."""
    if b"\\" not in body or CONTROL_JSON_CANDIDATE.search(body) is None:
        return False
    return any(len(match[1]) % 2 for match in CONTROL_JSON_ESCAPE.finditer(body))


def control_characters_in_urlencoded(data: bytes) -> bool:
    """Whether a query string or form body holds a control character, raw or percent-encoded."""
    return CONTROL_PERCENT.search(data) is not None or CONTROL_BYTES.search(data) is not None


class ControlCharacterGuard:
    """Refuses (400) a request whose text carries control characters: a NUL or another C0
    character other than tab, CR and LF, in the path, the query string, a header, or the
    text of a form or JSON body (an uploaded file's content is its reader's business).

    No field of ours holds one; PostgreSQL refuses a NUL in text outright (a server error
    where it reached the database), and the rest are garbage in the registry. Refused here,
    at the edge, once for every page and API. The checks are regular expressions over the
    raw bytes; only a request that fails one is decoded, to name the field at fault."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._find(request)
        if found is not None:
            return self._refuse(request, found)
        return self.get_response(request)

    def _find(self, request) -> str | None:
        """The part of the request that holds a control character, or None."""
        if CONTROL_TEXT.search(request.path_info):
            return "path"
        query = request.META.get("QUERY_STRING", "")
        if query and control_characters_in_urlencoded(query.encode("latin-1", "replace")):
            return next((key for key, value in request.GET.lists() if _has_control(key, *value)), "query")
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and CONTROL_TEXT.search(value):
                return key[5:].replace("_", "-").title()
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.META.get("CONTENT_LENGTH"):
            return None
        content_type = request.content_type
        if content_type == "application/json":
            return "body" if control_characters_in_json(self._body(request)) else None
        if content_type == _FORM:
            if control_characters_in_urlencoded(self._body(request)):
                return next((key for key, value in request.POST.lists() if _has_control(key, *value)), "body")
            return None
        # multipart/form-data is left to its views: parsing it here would read the uploaded
        # files before their views set how; its text fields are serializer or form fields,
        # which refuse a NUL themselves.
        return None

    @staticmethod
    def _body(request) -> bytes:
        try:
            return request.body
        except Exception:  # noqa: BLE001 - too big or already read: Django answers that itself
            return b""

    def _refuse(self, request, where: str):
        from sso.core.api.errors import error_body, in_languages

        texts = in_languages(
            lazy_format(
                _("Control characters (such as NUL) are not allowed in %(where)s: remove them and send it again."),
                {"where": where},
            )
        )
        field = {"code": "control_characters", "detail": "", **{f"detail_{k}": v for k, v in texts.items()}}
        body = error_body("control_characters", texts, fields={where: field})
        body["fields"][where]["detail"] = body["detail"]
        if request.path_info.startswith("/api/"):
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(f"{texts['th']}\n{texts['en']}\n", content_type="text/plain; charset=utf-8")


def _has_control(*texts: str) -> bool:
    return any(CONTROL_TEXT.search(text) for text in texts)


def security_headers(*, frame_ancestors_self: bool = False) -> list[tuple[str, str]]:
    """Content-Security-Policy, Permissions-Policy and Cache-Control for an answer with
    personal data: the headers SecurityHeadersMiddleware adds, and queueing.api.fast too.

    A page shown in a frame of our own (the receipt's PDF: X-Frame-Options SAMEORIGIN) may be
    framed by our own pages only; everything else by no page at all."""
    policy = settings.CONTENT_SECURITY_POLICY
    if frame_ancestors_self:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    return [
        ("Content-Security-Policy", policy),
        ("Permissions-Policy", settings.PERMISSIONS_POLICY),
        ("Cache-Control", "no-store, private"),
    ]


class SecurityHeadersMiddleware:
    """Adds the content security policy, the permissions policy and `Cache-Control:
    no-store, private` to every answer Django makes, unless the view set its own.

    The policy allows no inline script, no inline style and no eval: every script and
    stylesheet is a file under static/ (tests/test_security_headers.py scans the templates,
    and the browser tests fail on any violation the browser reports). No answer may be kept
    by a browser's or proxy's cache: pages and API answers carry personal data, and a shared
    counter PC's back button or disk cache must not show the last officer's records. Static
    files never reach this middleware (whitenoise answers them, with their own long caching);
    the health check sets its own Cache-Control (never_cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        same_origin = response.headers.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        for header, value in security_headers(frame_ancestors_self=same_origin):
            response.headers.setdefault(header, value)
        return response
