"""The production server of the README: uWSGI loads sso.wsgi once in its master and forks its
workers from it. Loading the application opens no connection the workers would share, and the
server answers a counter's call-next (the fast path) and a page (through Django)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from queueing import services
from queueing.models import Counter, Service, Ticket
from tests.factories import queue_office

ROOT = Path(__file__).resolve().parent.parent
UWSGI = Path(sys.executable).parent / "uwsgi"


def _server_env():
    """The environment of a server on the test database (its name replaces the configured one)."""
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    return {**os.environ, "DATABASE_URL": url.geturl(), "DEBUG": "1", "LOG_LEVEL": "WARNING"}


def test_loading_the_application_opens_no_database_or_redis_connection(db):
    script = (
        "import sso.wsgi\n"
        "from django.db import connections\n"
        "from sso.core.redis import redis_client\n"
        "assert all(c.connection is None for c in connections.all(initialized_only=True)), 'database'\n"
        "assert redis_client.cache_info().currsize == 0, 'redis'\n"
        "print('none open')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_server_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none open"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_uwsgi_serves_call_next_and_pages(cast, offices):
    if not UWSGI.exists():
        pytest.fail("uwsgi is not installed (pyuwsgi in requirements.txt)")
    office = queue_office(offices["1001"])
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    service = Service.objects.get(office=office, kind="contribution")
    ticket = services.ticket_issue(service=service, customer_kind="employer")
    token = Token.objects.create(user=cast["counter"])

    port = _free_port()
    server = subprocess.Popen(
        [str(UWSGI), "--http-socket", f"127.0.0.1:{port}", "--module", "sso.wsgi:application", "--master",
         "--processes", "2", "--threads", "2", "--single-interpreter", "--die-on-term", "--need-app",
         "--disable-logging"],
        cwd=ROOT, env=_server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as page:
                    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
                break
            except urllib.error.URLError:
                assert server.poll() is None, "uwsgi exited at start"
                time.sleep(0.2)
        else:
            pytest.fail("uwsgi did not answer within 60 s")

        request = urllib.request.Request(
            f"{base}/api/queue/counters/{counter.pk}/call-next/",
            data=b"{}",
            method="POST",
            headers={"Authorization": f"Token {token.key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
            called = json.loads(answer.read())
        assert called["id"] == ticket.pk and called["status"] == "called"

        # Calling again with the ticket still at the counter is refused: Django answers that,
        # in the caller's language.
        request.add_header("Accept-Language", "en")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 409
        body = json.loads(refused.value.read())
        assert body["code"] == "busy" and body["detail"].startswith("Finish or release the current ticket"), body
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    assert server.returncode is not None
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Ticket.Status.CALLED and ticket.counter_id == counter.pk
    assert "Traceback" not in errors, errors
