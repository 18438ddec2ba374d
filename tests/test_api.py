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


# -- mutation testing (issue 18): the WSGI app called in process, with environ dicts ------


@pytest.fixture(scope="module")
def wsgi(tmp_path_factory):
    """The app over the fixture index and a small site; request(path, ...) answers
    (status code, headers by lower-case name, body) as a client reads them: header names
    and a status line's reason phrase are not case-sensitive on the wire."""
    from .conftest import FIXTURE_CONTENT

    root = tmp_path_factory.mktemp("wsgi")
    index_content(FIXTURE_CONTENT, root / "index")
    site = root / "site"
    (site / "case studies").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "Xmas").mkdir()  # a name that starts with a letter some code might strip
    (site / "Xmas" / "index.html").write_text("<h1>Xmas</h1>")
    (site / "index.html").write_text("<h1>Home</h1><script>var a = 1;</script>")
    (site / "case studies" / "index.html").write_text("<h1>Cases</h1>")
    (site / "policy.html").write_text(POLICY_PAGE)
    (site / "data.json").write_text("[]")
    (site / "app.js").write_text("let a;")
    (site / "logo.png").write_bytes(b"\x89PNG")
    (site / "blob.unknownext").write_bytes(b"??")
    (root / "secret.txt").write_text("do not serve")
    taxonomies, _ = load_taxonomies(FIXTURE_CONTENT)
    app = SearchApp(site, root / "index", taxonomies)

    def request(path, query="", method="GET", **environ):
        answer = {}
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, **environ}

        def start_response(status, headers):
            answer.update(status=status, headers=headers)

        body = b"".join(app(environ, start_response))
        names = [name.lower() for name, _ in answer["headers"]]
        assert len(names) == len(set(names)), names  # each header once
        headers = {name.lower(): value for name, value in answer["headers"]}
        return status_code(answer["status"]), headers, body

    request.app, request.site = app, site
    return request


def status_code(status: str) -> int:
    code, reason = status.split(" ", 1)
    assert reason.strip(), status
    return int(code)


def search_error(wsgi, query):
    status, headers, body = wsgi("/api/search", query)
    assert (status, headers["content-type"]) == (400, JSON_TYPE)
    return json.loads(body)["error"]


JSON_TYPE = "application/json; charset=utf-8"


def test_each_bad_parameter_gets_its_own_message_saying_what_to_send(wsgi):
    assert search_error(wsgi, "") == "text (or q) is required: the words to search for"
    assert search_error(wsgi, "q=%20%0A") == "text (or q) is required: the words to search for"
    assert search_error(wsgi, "q=" + "a" * 201) == "q is 201 characters; at most 200"
    assert search_error(wsgi, "text=" + "a" * 100 + "&q=" + "b" * 100) == (
        "q is 201 characters; at most 200"  # text and q are one query, joined by a space
    )
    assert search_error(wsgi, "q=x&kind=essay") == (
        "kind must be one of case_study, policy, guide, page, term"
    )
    for limit in ("0", "51", "ten", "-1", "1.5", ""):
        assert search_error(wsgi, f"q=x&limit={limit}") == (
            "limit must be a whole number from 1 to 50"
        )
    assert search_error(wsgi, "q=x&colour=red&bad=1") == (
        "unknown parameter 'bad'; use text, kind, limit, themes, principles, place, "
        "programme, partners, focus"
    )
    assert search_error(wsgi, "q=x&theme=culture-shif&place=atlantis") == (
        "unknown theme 'culture-shif' (did you mean 'culture-shift'?); "
        "unknown place 'atlantis' (did you mean 'scotland'?)"
    )
    assert search_error(wsgi, "&".join(f"q{n}=x" for n in range(65))) == (
        "Max number of fields exceeded"
    )


def test_the_accepted_bounds_are_answered(wsgi):
    status, headers, body = wsgi("/api/search", "q=" + "a" * 199 + "x")  # 200 characters
    assert status == 200
    status, _, body = wsgi("/api/search", "q=test&limit=1")
    assert status == 200 and len(json.loads(body)) == 1
    status, _, body = wsgi("/api/search", "q=test&limit=50")
    assert status == 200 and len(json.loads(body)) == 6
    status, _, body = wsgi("/api/search", "q=test&limit=50&limit=2")  # the last one counts
    assert status == 200 and len(json.loads(body)) == 2
    status, _, body = wsgi("/api/search", "q=test&kind=essay&kind=policy")
    assert status == 200


def test_a_search_answers_json_hits_with_its_total_and_no_caching(wsgi):
    status, headers, body = wsgi("/api/search/", "text=test")  # a trailing slash is the same
    assert status == 200
    hits = json.loads(body)
    assert [hit["slug"] for hit in hits] == [
        "test-guidance",
        "test-act",
        "gamma-pilot",
        "beta-connections",
        "alpha-network",
        "index",
    ]
    assert headers == {
        "content-type": JSON_TYPE,
        "content-length": str(len(body)),
        "cache-control": "no-store",
        "x-search-total": "6",
        "content-security-policy": DEFAULT_POLICY,
        "x-content-type-options": "nosniff",
    }
    assert "x-search-suggestion" not in headers


def test_filters_by_every_name_kind_and_empty_values(wsgi):
    def slugs(query):
        status, _, body = wsgi("/api/search", query)
        assert status == 200, body
        return [hit["slug"] for hit in json.loads(body)]

    assert slugs("q=test&kind=policy") == ["test-guidance", "test-act"]
    assert slugs("q=test&kind=") == slugs("q=test")  # an empty kind is no filter
    assert slugs("q=test&themes=") == slugs("q=test")  # and so is an empty value
    for name in ("theme", "themes"):
        assert slugs(f"q=test&{name}=culture-shift") == ["gamma-pilot", "alpha-network"]
    for name in ("place", "places"):  # the field's name and the taxonomy's
        assert slugs(f"q=test&{name}=scotland") == ["gamma-pilot"]
    assert slugs("q=test&themes=culture-shift&themes=lived-experience") == [
        "gamma-pilot",
        "beta-connections",
        "alpha-network",
    ]
    assert slugs("text=pub&q=quiz") == ["beta-connections"]


def test_a_word_not_in_the_library_gets_a_suggestion_header_on_one_latin_1_line(wsgi):
    from casebook.api import header_safe

    status, headers, body = wsgi("/api/search", "q=kewyorker")
    assert (status, body, headers["x-search-suggestion"]) == (200, b"[]", "keyworker")
    assert headers["x-search-total"] == "0"
    assert header_safe("a\r\n b\u2028c ☃ é") == "a b c ? é"


def test_only_get_and_head_are_allowed(wsgi):
    for method in ("POST", "PUT", "DELETE"):
        status, headers, body = wsgi("/", method=method)
        assert status == 405 and headers["allow"] == "GET, HEAD"
        assert json.loads(body) == {"error": "only GET is allowed"}
        assert headers["content-security-policy"] == DEFAULT_POLICY


def test_head_answers_the_headers_of_get_with_no_body(wsgi):
    for path, query in (("/api/search", "q=test"), ("/", ""), ("/nowhere", "")):
        get_status, get_headers, get_body = wsgi(path, query)
        status, headers, body = wsgi(path, query, method="HEAD")
        assert (status, headers, body) == (get_status, get_headers, b"") and get_body


def test_a_request_with_no_method_or_path_is_a_get_of_the_home_page(wsgi):
    answer = {}
    body = wsgi.app({}, lambda status, headers: answer.update(status=status))
    assert status_code(answer["status"]) == 200 and b"".join(body).startswith(b"<h1>Home</h1>")
    # an app mounted at a prefix gets an empty path for the prefix itself
    status, _, body = wsgi("")
    assert status == 200 and body.startswith(b"<h1>Home</h1>")
    assert wsgi("/api/searchX", "q=test")[0] == 404  # only /api/search is the API


def test_an_error_in_the_server_is_a_500_logged_never_shown(wsgi, monkeypatch, capsys):
    from casebook.search.whoosh_index import SearchIndex

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(SearchIndex, "search", broken)
    status, headers, body = wsgi("/api/search", "q=test")
    assert status == 500
    assert json.loads(body) == {"error": "something went wrong on the server; it has been logged"}
    assert headers["content-security-policy"] == DEFAULT_POLICY
    assert "RuntimeError: secret detail" in capsys.readouterr().err


def test_no_index_is_a_503_until_a_build(tmp_path):
    (tmp_path / "site").mkdir()
    app = SearchApp(tmp_path / "site", tmp_path / "no-index", {})
    answer = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search", "QUERY_STRING": "q=x"}
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    assert status_code(answer["status"]) == 503
    assert json.loads(body) == {"error": "no search index yet: run `make build`"}
    (tmp_path / "no-index").mkdir()  # a directory, but no index in it
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    assert status_code(answer["status"]) == 503


def test_a_damaged_index_is_a_503_each_time_with_a_line_for_the_operator(content, tmp_path, capsys):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    segment = max(index_dir.iterdir(), key=lambda p: p.stat().st_size)
    segment.write_bytes(bytes(segment.stat().st_size))
    (tmp_path / "site").mkdir()
    app = SearchApp(tmp_path / "site", index_dir, {})
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search", "QUERY_STRING": "q=x"}
    for _ in range(2):  # the second answer comes from what the first found
        answer = {}
        body = b"".join(app(environ, lambda status, headers, a=answer: a.update(status=status)))
        assert status_code(answer["status"]) == 503
        assert json.loads(body) == {
            "error": "the search index is damaged; it is rebuilt by the next build"
        }
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0] == lines[1]
    assert lines[0].startswith(f"casebook serve: the search index at {index_dir} is damaged (")
    assert lines[0].endswith("; run `make build` to rebuild it")


def test_static_files_carry_their_type_length_etag_and_policy(wsgi):
    import re

    expected = {
        "/data.json": "application/json; charset=utf-8",
        "/app.js": "text/javascript; charset=utf-8",
        "/logo.png": "image/png",
        "/blob.unknownext": "application/octet-stream",
        "/policy.html": "text/html; charset=utf-8",
    }
    for path, content_type in expected.items():
        status, headers, body = wsgi(path)
        assert status == 200 and body == (wsgi.site / path[1:]).read_bytes()
        assert headers["content-type"] == content_type
        assert headers["content-length"] == str(len(body))
        assert headers["cache-control"] == "no-cache"
        assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"])
        assert headers["x-content-type-options"] == "nosniff"
    assert wsgi("/policy.html")[1]["content-security-policy"] == (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'self'"
    )
    assert wsgi("/data.json")[1]["content-security-policy"] == DEFAULT_POLICY
    home = wsgi("/")[1]["content-security-policy"]  # its inline script, by hash
    assert home == fallback_policy(b"<script>var a = 1;</script>") != DEFAULT_POLICY


def test_a_matching_etag_is_a_304_with_no_body(wsgi):
    _, headers, _ = wsgi("/data.json")
    status, not_modified, body = wsgi("/data.json", HTTP_IF_NONE_MATCH=headers["etag"])
    assert (status, body) == (304, b"")
    assert not_modified["etag"] == headers["etag"]
    assert not_modified["cache-control"] == "no-cache"
    assert "content-type" not in not_modified
    listed = wsgi("/data.json", HTTP_IF_NONE_MATCH='"0000",' + headers["etag"])  # no space
    assert listed[0] == 304
    for other in ('"0000"', headers["etag"][:-2] + '"', ""):
        assert wsgi("/data.json", HTTP_IF_NONE_MATCH=other)[0] == 200


def test_a_folder_is_redirected_to_its_slash_and_served_from_its_index(wsgi):
    status, headers, body = wsgi("/case studies")
    assert (status, body) == (301, b"")
    assert headers["location"] == "/case%20studies/" and headers["content-length"] == "0"
    assert headers["x-content-type-options"] == "nosniff"
    status, _, body = wsgi("/case%20studies/")
    assert (status, body) == (200, b"<h1>Cases</h1>")
    status, headers, _ = wsgi("/Xmas")
    assert (status, headers["location"]) == (301, "/Xmas/")
    assert wsgi("/Xmas/")[2] == b"<h1>Xmas</h1>"


def test_what_is_not_in_the_site_is_a_404_page(wsgi):
    for path in ("/nowhere", "/empty/", "/%00", "/../secret.txt", "/..%2fsecret.txt"):
        status, headers, body = wsgi(path)
        assert (status, body) == (404, b"Not found"), path
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["content-length"] == "9"
        assert headers["content-security-policy"] == DEFAULT_POLICY
    (wsgi.site / "404.html").write_text(POLICY_PAGE)
    try:
        status, headers, body = wsgi("/nowhere")
    finally:
        (wsgi.site / "404.html").unlink()
    assert (status, body) == (404, POLICY_PAGE.encode())
    assert headers["content-security-policy"] == (  # the 404 page's own, as for any page
        "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'self'"
    )
    assert headers["content-length"] == str(len(POLICY_PAGE.encode()))


def test_a_pages_policy_is_read_from_its_meta_element_as_a_browser_would():
    assert (
        page_policy(
            b"<head><META HTTP-EQUIV='content-security-policy' "
            b'content="default-src &#39;self&#39;;  img-src *; "></head>'
        )
        == "default-src 'self'; img-src *; frame-ancestors 'self'"
    )
    own = b'<head><meta http-equiv="Content-Security-Policy" content="frame-ancestors none">'
    assert page_policy(own) == "frame-ancestors none"
    assert page_policy(b'<head><meta http-equiv="Content-Security-Policy" content=" ">') is None
    assert page_policy(b'<head><meta name="x" content="y"><meta charset="utf-8"></head>') is None
    meta = b'<meta http-equiv="Content-Security-Policy"'
    assert page_policy(b"<head>" + meta + b' content=""></head>') is None
    assert page_policy(b"<head>" + meta + b"></head>") is None  # no content at all
    assert page_policy(b"<head><meta http-equiv='' content=a></head>") is None
    assert page_policy(b"<head>" + meta + b' content="\xff a"></head>') == (
        "\ufffd a; frame-ancestors 'self'"  # bytes that are not UTF-8 do not stop the page
    )
    in_body = b"<head></head><body>" + meta + b' content="a"><p>&lt;/head&gt;</p></head>'
    assert page_policy(in_body) is None  # only the first </head> ends the head
    late = b"<head>" + b" " * 16_340 + b'<meta http-equiv="Content-Security-Policy" content="a">'
    assert page_policy(late) is None  # past the bytes searched


def test_inline_scripts_are_allowed_once_each_and_data_blocks_never():
    import base64
    import hashlib

    def allowed(code):
        return "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"

    page = (
        b"<script type=importmap>{}</script><script>one()</script>"
        b"<SCRIPT type=module>two()</SCRIPT ><script>one()</script>"
        b"<script TYPE='APPLICATION/JSON'>{}</script><script type=''>three()</script>"
        b"<script></script><script SRC=x.js>ignored()</script>"
    )
    policy = fallback_policy(page)
    assert policy == DEFAULT_POLICY.replace(
        "script-src 'self'",
        f"script-src 'self' {allowed(b'one()')} {allowed(b'two()')} {allowed(b'three()')}",
    )


def test_a_special_file_in_the_site_is_never_read_or_served(wsgi):
    import os

    fifo = wsgi.site / "pipe.html"
    os.mkfifo(fifo)
    # held open for writing, so opening it to read does not wait; reading would wait forever
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        status, headers, body = wsgi("/pipe.html")
    finally:
        os.close(writer)
        fifo.unlink()
    assert (status, body) == (404, b"Not found")


def test_a_doubled_ampersand_is_ignored_and_no_query_string_asks_for_words(wsgi):
    status, _, body = wsgi("/api/search", "q=test&&limit=2&")
    assert status == 200 and len(json.loads(body)) == 2
    answer = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search"}  # no QUERY_STRING at all
    body = b"".join(wsgi.app(environ, lambda status, headers: answer.update(status=status)))
    assert status_code(answer["status"]) == 400
    assert json.loads(body) == {"error": "text (or q) is required: the words to search for"}


def test_a_damaged_index_is_a_503_only_until_the_next_build(content, tmp_path):
    index_dir = tmp_path / "index"
    index_content(content, index_dir)
    live = index_dir.resolve()
    segment = max(live.glob("*.seg"), key=lambda p: p.stat().st_size)
    segment.write_bytes(bytes(segment.stat().st_size))
    (tmp_path / "site").mkdir()
    app = SearchApp(tmp_path / "site", index_dir, {})
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search", "QUERY_STRING": "q=keyworker"}

    def search():
        answer = {}
        body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
        return status_code(answer["status"]), body

    assert search()[0] == 503
    index_content(content, index_dir)  # the next build swaps in a whole index
    status, body = search()
    assert status == 200 and json.loads(body)[0]["slug"] == "alpha-network"
