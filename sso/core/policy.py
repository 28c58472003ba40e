"""The protections every request gets, written once: which hosts are served, when HTTPS is
required, which characters are refused, the API's rates, and the headers of every answer.

Two callers apply them: Django's middleware (`sso.core.middleware` and Django's own
security, common and clickjacking middleware, which read the same settings) and a WSGI
wrapper that answers a hot path ahead of Django (`settings.WSGI_WRAPPERS`: the counters'
call-next, `queueing.api.fast`). A wrapper checks a request with `request_refused` and
answers with `answer_headers`, so a protection added here applies to both. `MIDDLEWARE_POLICY`
says, for each middleware of `settings.MIDDLEWARE`, how a wrapper's answer keeps its
promise; tests/test_queue_fast_path.py fails on a middleware it does not name, so a new
protection cannot reach Django's requests alone.
"""

import re
from types import SimpleNamespace

from django.conf import settings
from django.http.request import split_domain_port, validate_host

# How a wrapper answering ahead of Django keeps each middleware's promise (see above).
MIDDLEWARE_POLICY = {
    "django.middleware.security.SecurityMiddleware": "request_refused (HTTPS), answer_headers (HSTS, nosniff...)",
    "whitenoise.middleware.WhiteNoiseMiddleware": "static files only: never a wrapper's path",
    "sso.core.middleware.SecurityHeadersMiddleware": "answer_headers (security_headers)",
    "django.contrib.sessions.middleware.SessionMiddleware": "token callers only: no session is read or set",
    "sso.core.middleware.ThaiFirstLocaleMiddleware": "a success has no text; every refusal goes to Django",
    "sso.core.middleware.ControlCharacterGuard": "request_refused (control_characters_found)",
    "django.middleware.common.CommonMiddleware": "request_refused (host_allowed); exact paths, no redirects",
    "django.middleware.csrf.CsrfViewMiddleware": "token callers only (the API is exempt from CSRF)",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "the token's user (CachedTokenAuthentication)",
    "django.contrib.messages.middleware.MessageMiddleware": "no messages in an API answer",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "answer_headers (X-Frame-Options)",
    "django_htmx.middleware.HtmxMiddleware": "no htmx in an API answer",
    "simple_history.middleware.HistoryRequestMiddleware": "the service names the officer itself",
    "axes.middleware.AxesMiddleware": "no password is checked; a token refused goes to Django",
}


# --- Hosts and HTTPS -----------------------------------------------------------------------


def is_secure(meta) -> bool:
    """Whether the request came over HTTPS (behind the proxy: its header says so)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        return meta.get(header, "").split(",")[0].strip() == value
    return meta.get("wsgi.url_scheme") == "https"


def host_allowed(meta) -> bool:
    """Whether Django would serve this Host (ALLOWED_HOSTS). A forwarded host is left to
    Django's own logic: False."""
    if settings.USE_X_FORWARDED_HOST or settings.USE_X_FORWARDED_PORT:
        return False
    domain, _port = split_domain_port(meta.get("HTTP_HOST", ""))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)


# --- Control characters --------------------------------------------------------------------

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
FORM = "application/x-www-form-urlencoded"


def control_characters_in_json(body: bytes) -> bool:
    """Whether a JSON text escapes a control character in a string. Most bodies hold no
    backslash at all: one byte search then answers."""
    if b"\\" not in body or CONTROL_JSON_CANDIDATE.search(body) is None:
        return False
    return any(len(match[1]) % 2 for match in CONTROL_JSON_ESCAPE.finditer(body))


def control_characters_in_urlencoded(data: bytes) -> bool:
    """Whether a query string or form body holds a control character, raw or percent-encoded."""
    return CONTROL_PERCENT.search(data) is not None or CONTROL_BYTES.search(data) is not None


def control_characters_found(path: str, meta, content_type: str, body) -> str | None:
    """The part of a request that holds a control character ("path", "query", a header's
    name, "body"), or None. `body()` gives the body's bytes, read only when it is text to
    check (JSON or a form; multipart is left to its views, which refuse a NUL themselves)."""
    if CONTROL_TEXT.search(path):
        return "path"
    query = meta.get("QUERY_STRING", "")
    if query and control_characters_in_urlencoded(query.encode("latin-1", "replace")):
        return "query"
    for key, value in meta.items():
        if key.startswith("HTTP_") and isinstance(value, str) and CONTROL_TEXT.search(value):
            return key[5:].replace("_", "-").title()
    if meta.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS") or not meta.get("CONTENT_LENGTH"):
        return None
    if content_type == "application/json":
        return "body" if control_characters_in_json(body()) else None
    if content_type == FORM:
        return "body" if control_characters_in_urlencoded(body()) else None
    return None


# --- One check for a request answered ahead of Django -------------------------------------


def request_refused(meta, path: str, body: bytes) -> bool:
    """Whether Django's middleware would refuse or redirect this request (a host not
    served, plain HTTP where HTTPS is required, a control character): a wrapper then hands
    it to Django, which answers it in the caller's language."""
    if settings.SECURE_SSL_REDIRECT and not is_secure(meta):
        return True
    if not host_allowed(meta):
        return True
    content_type = meta.get("CONTENT_TYPE", "").split(";")[0].strip()
    return control_characters_found(path, meta, content_type, lambda: body) is not None


def api_rate_allows(user, token, meta) -> bool:
    """Whether the API's limits (sso.core.throttling, per user and per token) let this call
    through; the call is counted. A refused one goes to Django, whose view answers 429."""
    from sso.core.throttling import ApiRateThrottle

    return ApiRateThrottle().allow_request(SimpleNamespace(user=user, auth=token, META=meta), None)


# --- Answer headers ------------------------------------------------------------------------


def security_headers(*, frame_ancestors_self: bool = False) -> list[tuple[str, str]]:
    """Content-Security-Policy, Permissions-Policy and Cache-Control for an answer with
    personal data: what SecurityHeadersMiddleware adds to every answer.

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


def answer_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers the middleware adds to an answer of Django's (security, clickjacking and
    SecurityHeadersMiddleware), for an answer made ahead of it."""
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    headers.extend(security_headers())
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers
