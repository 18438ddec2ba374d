"""The search API under waitress on loopback: bounds, errors as JSON, no file outside the
site, and no 500 under concurrent load."""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from casebook.api import (
    DEFAULT_POLICY,
    SERVER_SETTINGS,
    SearchApp,
    fallback_policy,
    page_policy,
)
from casebook.cli import main
from casebook.content.taxonomy import load_taxonomies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from waitress import create_server, wasyncore

from .test_search import index_content

POLICY_PAGE = """<!doctype html><html><head>
<meta charset="utf-8"><meta http-equiv="Content-Security-Policy"
  content="default-src 'self'; script-src 'self' 'unsafe-inline'">
</head><body><p>A page with its own policy.</p></body></html>"""


@pytest.fixture(scope="module")
def searchable_app(tmp_path_factory):
    """The WSGI app itself, called without a server: fast enough for many queries."""
    from .conftest import FIXTURE_CONTENT

    tmp_path = tmp_path_factory.mktemp("app")
    index_content(FIXTURE_CONTENT, tmp_path / "index")
    (tmp_path / "site").mkdir()
    taxonomies, _ = load_taxonomies(FIXTURE_CONTENT)
    app = SearchApp(tmp_path / "site", tmp_path / "index", taxonomies)

    def search(text: str):
        answer = {}
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/search",
            "QUERY_STRING": "q=" + quote(text, safe=""),
        }
        body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
        return answer["status"], body

    return search


@pytest.fixture
def server(content, tmp_path):
    index_content(content, tmp_path / "index")
    site = tmp_path / "site"
    (site / "case_studies").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1>")
    (site / "case_studies" / "index.html").write_text("<h1>Cases</h1>")
    (site / "policy.html").write_text(POLICY_PAGE)
    (site / "data.json").write_text("[]")
    (tmp_path / "secret.txt").write_text("do not serve")
    taxonomies, _ = load_taxonomies(content)
    app = SearchApp(site, tmp_path / "index", taxonomies)
    httpd = create_server(app, host="127.0.0.1", port=0, threads=8, **SERVER_SETTINGS)
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
    # each query and the status it must get, alone or under load (issue 18: the test
    # accepted any 150 successes of 200, so refusing the bounds went unseen)
    answers = {
        "keyworker": 200,
        "pub quiz": 200,
        '"unbalanced': 200,
        "AND": 200,
        "(": 200,
        "x" * 200: 200,  # the longest query allowed
        "test&limit=50": 200,  # the largest limit allowed
        "recovery&theme=culture-shift&theme=lived-experience": 200,
        "kewyorker": 200,
        "%ZZ": 200,  # not a percent-escape: searched as the text it is
        "x" * 201: 400,
        "test&limit=51": 400,
    }
    paths = [f"/api/search?q={quote(q, safe='&=%')}" for q in answers] * 20  # 240 requests
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda path: get(server, path)[0], paths))
    assert statuses == list(answers.values()) * 20


def call(port, method, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()  # any-case names
    finally:
        connection.close()


def test_a_misspelt_hyphenated_word_gets_a_suggestion_not_an_error(server):
    status, headers, body = get(server, "/api/search?q=kewyorker-charites")
    assert status == 200 and json.loads(body) == []
    # (Whoosh suggests stems, "chariti": a separate issue; this is about the 503)
    assert headers["X-Search-Suggestion"].startswith("keyworker chari")


def test_a_query_with_a_line_break_is_one_line_and_so_is_its_suggestion(server):
    status, headers, body = get(server, "/api/search?q=" + quote("kewyorker\r\nteem"))
    assert status == 200 and json.loads(body) == []
    assert headers["X-Search-Suggestion"].startswith("keyworker te")
    status, _, body = get(server, "/api/search?q=" + quote("keyworker\nteam"))
    assert status == 200 and json.loads(body)[0]["slug"] == "alpha-network"


def raw(port, method, path) -> tuple[bytes, bytes]:
    """The bytes on the wire (http.client would hide a body sent after HEAD)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        request = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize("path", ["/api/search?q=keyworker", "/api/search?q=", "/", "/nowhere"])
def test_head_sends_the_headers_of_get_and_no_body(server, path):
    get_status, get_headers, get_body = call(server, "GET", path)
    head, body = raw(server, "HEAD", path)
    assert body == b"" and get_body != b""
    assert head.startswith(f"HTTP/1.1 {get_status} ".encode())
    assert f"Content-Length: {len(get_body)}".encode() in head
    assert f"Content-Type: {get_headers['Content-Type']}".encode() in head


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/"),
        ("GET", "/case_studies"),
        ("GET", "/nowhere"),
        ("GET", "/api/search?q=keyworker"),
        ("GET", "/api/search?q="),
        ("POST", "/"),
        ("GET", "/policy.html"),
        ("GET", "/data.json"),
    ],
)
def test_every_response_is_nosniff_with_a_content_security_policy(server, method, path):
    status, headers, _ = call(server, method, path)
    assert status in {200, 301, 400, 404, 405}
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"]


def test_a_page_gets_the_policy_of_its_own_meta_element_and_others_the_strict_one(server):
    _, headers, _ = call(server, "GET", "/policy.html")
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'self'"
    )
    for path in ("/", "/data.json", "/api/search?q=keyworker"):  # no inline scripts
        policy = call(server, "GET", path)[1]["Content-Security-Policy"]
        assert policy == DEFAULT_POLICY and "'unsafe-inline'" not in policy.split(";")[1]


def test_a_meta_element_in_the_body_or_out_of_bounds_sets_no_policy():
    head = b'<html><head><meta http-equiv="Content-Security-Policy" content="a"></head>'
    assert page_policy(head) == "a; frame-ancestors 'self'"
    body = b'<html><head></head><body><meta http-equiv="content-security-policy" content="x">'
    assert page_policy(body) is None
    assert page_policy(b"<head>" + b" " * 20_000 + head) is None
    assert page_policy(b'<head><meta content="b\r\nc" http-equiv=Content-Security-Policy>') == (
        "b c; frame-ancestors 'self'"
    )


def test_a_page_without_a_policy_may_run_only_the_inline_scripts_it_holds():
    import base64
    import hashlib

    theme = b"var palette = 1;"
    page = (
        b"<html><head><script>" + theme + b"</script>"
        b'<script type="application/ld+json">{"@type": "Article"}</script>'
        b'<script src="bundle.js"></script></head><body></body></html>'
    )
    allowed = base64.b64encode(hashlib.sha256(theme).digest()).decode()
    policy = fallback_policy(page)
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    # not the JSON-LD; WebAssembly for the search, never JavaScript eval
    assert script_src == f"script-src 'self' 'sha256-{allowed}' 'wasm-unsafe-eval'"
    assert "unsafe-inline" not in script_src
    assert fallback_policy(b"<p>no scripts</p>") == DEFAULT_POLICY


def test_static_files_have_an_etag_and_answer_304_when_it_matches(server):
    status, headers, body = call(server, "GET", "/case_studies/")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    etag = headers["ETag"]
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        status, headers, body = call(server, "GET", "/case_studies/", {"If-None-Match": condition})
        assert (status, body) == (304, b"") and headers["ETag"] == etag
    status, _, body = call(server, "GET", "/case_studies/", {"If-None-Match": '"other"'})
    assert status == 200 and body == b"<h1>Cases</h1>"
    assert call(server, "GET", "/")[1]["ETag"] != etag


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=60)
    | st.from_regex(r"[a-z]{2,9}([-'\"()*?~^:\n\t ]{1,2}[a-z]{0,9}){0,3}", fullmatch=True)
)
def test_any_query_is_answered_200_or_400_never_500_or_503(searchable_app, text):
    status, body = searchable_app(text)
    assert status in {"200 OK", "400 Bad Request"}, (text, status, body)


def test_an_index_damaged_under_the_server_is_a_503_and_a_clear_line(content, tmp_path, capsys):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    segment = max(index_dir.iterdir(), key=lambda p: p.stat().st_size)
    segment.write_bytes(bytes(segment.stat().st_size))  # zeroed
    (tmp_path / "site").mkdir()
    app = SearchApp(tmp_path / "site", index_dir, {})
    answer = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search", "QUERY_STRING": "q=x"}
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    assert answer["status"].startswith("503") and b"damaged" in body
    assert main(["search", "keyworker", "--index", str(index_dir)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 2 and "is damaged" in error and "make build" in error
