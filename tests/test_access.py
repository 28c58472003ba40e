"""Who may open what: one table of (user, URL, status), office scoping by URL and API."""

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

OWN, OTHER = "1001", "5000"

# (user, url, expected status); 404 for another office's record, the same as a missing one.
PAGES = [
    ("counter", "/", 200),
    ("counter", f"/offices/{OWN}/", 200),
    ("counter", f"/offices/{OTHER}/", 404),
    ("counter", "/offices/", 403),
    ("counter", "/history/", 403),
    ("counter", f"/offices/{OWN}/edit/", 403),
    ("verifier", f"/offices/{OWN}/", 200),
    ("verifier", "/history/", 403),
    ("supervisor", f"/offices/{OWN}/", 200),
    ("supervisor", f"/offices/{OTHER}/", 404),
    ("supervisor", "/history/", 200),
    ("supervisor", "/offices/", 403),
    ("other_supervisor", f"/offices/{OTHER}/", 200),
    ("other_supervisor", f"/offices/{OWN}/", 404),
    ("national", f"/offices/{OTHER}/", 200),
    ("national", "/offices/", 200),
    ("national", f"/offices/{OWN}/edit/", 403),
    ("admin", f"/offices/{OTHER}/edit/", 200),
    ("admin", "/admin/", 200),
    ("outsider", f"/offices/{OWN}/", 403),
    ("outsider", "/", 200),
]


@pytest.mark.parametrize(("who", "url", "status"), PAGES)
def test_page_access_follows_role_and_office(cast, client_for, who, url, status):
    assert client_for(cast[who]).get(url).status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, cast):
    response = client.get(f"/offices/{OWN}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_history_of_another_offices_record_is_not_found(cast, client_for, offices):
    url = f"/history/core.office/{offices[OTHER].pk}/"
    assert client_for(cast["supervisor"]).get(url).status_code == 404
    assert client_for(cast["national"]).get(url).status_code == 200


def test_history_of_an_unaudited_kind_is_not_found(cast, client_for):
    assert client_for(cast["supervisor"]).get("/history/auth.group/1/").status_code == 404
    assert client_for(cast["supervisor"]).get("/history/nope.nothing/1/").status_code == 404


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [("supervisor", OWN, 200), ("supervisor", OTHER, 404), ("national", OTHER, 200), ("outsider", OWN, 403)],
)
def test_api_office_detail_is_office_scoped(cast, client_for, who, code, status):
    assert client_for(cast[who]).get(f"/api/offices/{code}/").status_code == status


def test_api_office_list_shows_only_the_users_office(cast, client_for):
    codes = [row["code"] for row in client_for(cast["counter"]).get("/api/offices/").json()["results"]]
    assert codes == [OWN]
    codes = [row["code"] for row in client_for(cast["national"]).get("/api/offices/").json()["results"]]
    assert {OWN, OTHER} <= set(codes)


def test_api_accepts_a_token_and_scopes_by_its_user(cast, client):
    token = Token.objects.create(user=cast["other_supervisor"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(f"/api/offices/{OTHER}/", **auth).status_code == 200
    assert client.get(f"/api/offices/{OWN}/", **auth).status_code == 404
    me = client.get("/api/me/", **auth).json()
    assert me["office"]["code"] == OTHER and me["roles"] == ["supervisor"]


def test_api_token_is_issued_for_a_correct_password(cast, client):
    response = client.post("/api/auth/token/", {"username": "counter", "password": "correct-horse-battery"})
    assert response.status_code == 200 and len(response.json()["token"]) == 40
    bad = client.post("/api/auth/token/", {"username": "counter", "password": "wrong"})
    assert bad.status_code == 400


def test_api_refuses_anonymous_callers(cast, client):
    assert client.get("/api/offices/").status_code in (401, 403)
    assert client.get("/api/me/").status_code in (401, 403)


def test_office_list_filter_is_shared_by_page_and_api(cast, client_for):
    national = client_for(cast["national"])
    page = national.get("/offices/", {"province": "50"})
    assert OTHER in page.content.decode() and f"/offices/{OWN}/" not in page.content.decode()
    api = national.get("/api/offices/", {"province": "50"}).json()["results"]
    assert [row["code"] for row in api] == [OTHER]


def test_office_lists_make_the_same_number_of_queries_for_2_or_22_offices(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OfficeFactory

    national = client_for(cast["national"])

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert national.get(url).status_code == 200
        return len(context)

    count("/offices/")  # the first request also reads the user's permissions into the cache
    before = (count("/offices/"), count("/api/offices/"))
    for _ in range(20):
        OfficeFactory()
    assert (count("/offices/"), count("/api/offices/")) == before
