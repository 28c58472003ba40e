from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
