"""The search API under waitress on loopback: bounds, errors as JSON, no file outside the
site, and no 500 under concurrent load."""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from casebook.api import SearchApp
from casebook.content.taxonomy import load_taxonomies
from waitress import create_server, wasyncore

from .test_search import index_content


@pytest.fixture
def server(content, tmp_path):
    index_content(content, tmp_path / "index")
    site = tmp_path / "site"
    (site / "case_studies").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1>")
    (site / "case_studies" / "index.html").write_text("<h1>Cases</h1>")
    (tmp_path / "secret.txt").write_text("do not serve")
    taxonomies, _ = load_taxonomies(content)
    app = SearchApp(site, tmp_path / "index", taxonomies)
    httpd = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield httpd.effective_port
    # Closed from the server's own loop thread: closing its sockets from here while it
    # waits in select() made that thread die with 'Bad file descriptor'.
    httpd.trigger.pull_trigger(lambda: wasyncore.close_all(httpd._map))
    thread.join(timeout=5)
    httpd.task_dispatcher.shutdown()
    assert not thread.is_alive()


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_search_returns_the_cli_json_shape(server):
    status, headers, body = get(server, "/api/search?q=keyworker")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    hits = json.loads(body)
    assert hits[0]["slug"] == "alpha-network"
    assert set(hits[0]) == {"slug", "title", "url", "kind", "score", "snippet", "themes"}


def test_filters_and_limit(server):
    status, _, body = get(server, "/api/search?q=test&theme=culture-shift&place=scotland")
    assert status == 200 and [h["slug"] for h in json.loads(body)] == ["gamma-pilot"]
    status, _, body = get(server, "/api/search?q=test&limit=2")
    assert status == 200 and len(json.loads(body)) == 2


def test_the_catalogue_parameter_names_work_and_the_old_ones_are_aliases(server):
    catalogue = "/api/search?text=test&themes=culture-shift&principles=citizen-agency"
    status, _, body = get(server, catalogue + "&place=scotland")
    assert status == 200 and [h["slug"] for h in json.loads(body)] == ["gamma-pilot"]
    status, _, old = get(server, "/api/search?q=test&theme=culture-shift&place=scotland")
    assert json.loads(old) == json.loads(body)
    status, _, body = get(server, "/api/search?text=test&focus=people-sleeping-rough")
    assert status == 200 and [h["slug"] for h in json.loads(body)] == ["alpha-network"]


def test_suggestion_header_when_nothing_matches(server):
    status, headers, body = get(server, "/api/search?q=kewyorker")
    assert status == 200 and json.loads(body) == []
    assert headers["X-Search-Suggestion"] == "keyworker"


@pytest.mark.parametrize(
    "query,message",
    [
        ("", "text (or q) is required"),
        ("q=" + "a" * 201, "at most 200"),
        ("q=x&limit=0", "limit must be"),
        ("q=x&limit=51", "limit must be"),
        ("q=x&limit=ten", "limit must be"),
        ("q=x&kind=essay", "kind must be one of"),
        ("q=x&colour=red", "unknown parameter 'colour'"),
        ("q=x&theme=culture-shif", "did you mean 'culture-shift'"),
        ("q=x&place=atlantis", "unknown place 'atlantis'"),
    ],
)
def test_bad_parameters_are_400_with_a_json_error(server, query, message):
    status, headers, body = get(server, "/api/search?" + query)
    assert status == 400
    assert message in json.loads(body)["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/case_studies/../../secret.txt",
        "/%00",
        "//etc/passwd",
    ],
)
def test_no_file_outside_the_site_is_served(server, path):
    status, _, body = get(server, path)
    assert status == 404 and b"do not serve" not in body


def test_static_pages_are_served(server):
    assert get(server, "/")[0] == 200
    status, headers, _ = get(server, "/case_studies")
    assert status == 301 and headers["Location"] == "/case_studies/"
    assert get(server, "/case_studies/")[2] == b"<h1>Cases</h1>"


def test_concurrent_load_never_produces_a_500(server):
    queries = [
        "keyworker",
        "pub quiz",
        '"unbalanced',
        "AND",
        "(",
        "x" * 200,
        "test&limit=50",
        "recovery&theme=culture-shift&theme=lived-experience",
        "kewyorker",
        "%ZZ",
    ]
    paths = [f"/api/search?q={quote(q, safe='&=%')}" for q in queries] * 20  # 200 requests
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda path: get(server, path)[0], paths))
    assert len(statuses) == 200
    assert set(statuses) <= {200, 400}
    assert statuses.count(200) >= 150
