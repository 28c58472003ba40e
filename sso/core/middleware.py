from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sso.core.formats import lazy_format
from sso.core.policy import CONTROL_TEXT, FORM, control_characters_found, security_headers


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
        """The part of the request that holds a control character (the form field's name
        where there is one), or None."""
        found = control_characters_found(
            request.path_info, request.META, request.content_type, lambda: self._body(request)
        )
        if found == "query":
            return next((key for key, value in request.GET.lists() if _has_control(key, *value)), "query")
        if found == "body" and request.content_type == FORM:
            return next((key for key, value in request.POST.lists() if _has_control(key, *value)), "body")
        return found

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
