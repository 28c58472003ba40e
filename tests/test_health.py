import pytest

from sso.celery import app

pytestmark = pytest.mark.django_db


def test_healthz_answers_503_when_no_worker_answers(client, monkeypatch):
    # Ask a worker name that does not exist, so a worker run by another test cannot answer.
    original = app.control.ping
    monkeypatch.setattr(app.control, "ping", lambda **kw: original(destination=["nobody@nowhere"], **kw))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert not body["checks"]["celery_worker"]["ok"]
    assert "no Celery worker answered" in body["checks"]["celery_worker"]["detail"]


def test_openapi_schema_and_docs_are_served(client, cast, client_for):
    schema = client_for(cast["counter"]).get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "openapi: 3" in text and "/api/offices/" in text and "/api/me/" in text
    assert client_for(cast["counter"]).get("/api/docs/").status_code == 200


def test_the_api_description_is_for_signed_in_staff_only(client):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")


def test_demo_data_is_idempotent(db):
    from django.core.management import call_command

    from sso.core.models import Office, User

    call_command("demo_data")
    counts = (Office.objects.count(), User.objects.count())
    call_command("demo_data")
    assert (Office.objects.count(), User.objects.count()) == counts
    assert User.objects.get(username="bkk1.counter").groups.get().name == "counter_officer"
    assert User.objects.get(username="hq.admin").check_password("sso-demo-2569")


def test_every_thai_message_is_translated():
    from pathlib import Path

    import polib

    catalogue = polib.pofile(str(Path(__file__).resolve().parent.parent / "locale/th/LC_MESSAGES/django.po"))

    def translated(entry):  # Thai has one plural form
        return bool(entry.msgstr_plural.get(0)) if entry.msgid_plural else bool(entry.msgstr)

    missing = [entry.msgid for entry in catalogue if not translated(entry) and not entry.obsolete]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert missing == [] and fuzzy == []
