"""With SENTRY_DSN, errors of requests and of Celery tasks reach Sentry with the release and the
user's id, scrubbed of email addresses, credentials and cookies. The SDK's real HTTP transport
sends them to a local stub server (the DSN points at it): nothing leaves the machine."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import brotli
import pytest
import sentry_sdk
from celery import shared_task

from accounts.tests.factories import UserFactory
from modo import monitoring

pytestmark = pytest.mark.django_db


class _Stub(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 — the http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def events(raw: list[bytes]) -> list[dict]:
    """The error events of Sentry envelopes (header line, then item header / payload pairs)."""
    found = []
    for body in raw:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


@pytest.fixture
def sentry():
    _Stub.received = []
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monitoring.sentry_init(dsn=f"http://public@127.0.0.1:{server.server_port}/1", release="modo@test-123",
                           environment="test")
    yield _Stub
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # off again for the other tests
    server.shutdown()


def flushed(stub) -> list[dict]:
    sentry_sdk.flush(timeout=5)
    return events(stub.received)


@pytest.mark.urls("modo.tests.error_urls")
def test_a_request_error_is_sent_with_the_user_id_and_release_and_scrubbed(client, sentry):
    user = UserFactory(email="ayu.secret@example.com")
    client.force_login(user)
    client.raise_request_exception = False
    client.cookies["analytics_pref"] = "cookie-value-xyz"

    response = client.get("/boom/?email=ayu.secret@example.com", HTTP_AUTHORIZATION="Bearer mdk_live_abcdef123456")

    assert response.status_code == 500
    [event] = flushed(sentry)
    raw = b"".join(sentry.received).decode()
    assert event["user"] == {"id": str(user.pk)}
    assert event["release"] == "modo@test-123"
    assert event["exception"]["values"][-1]["value"] == "the boom view broke"
    request = event.get("request", {})
    headers = {name.lower() for name in request.get("headers", {})}
    assert not headers & {"authorization", "cookie"} and "cookies" not in request
    for secret in ("ayu.secret@example.com", "mdk_live_abcdef123456", "cookie-value-xyz", "sessionid"):
        assert secret not in raw


def test_a_failed_celery_task_is_sent_and_scrubbed(sentry):
    @shared_task(name="modo.tests.test_sentry.failing")
    def failing(email):
        raise ValueError(f"could not mail {email} with token Bearer sk-live-999")

    result = failing.apply(args=["someone@example.com"])

    assert result.failed()
    [event] = flushed(sentry)
    raw = b"".join(sentry.received).decode()
    assert event["release"] == "modo@test-123"
    assert "ValueError" in raw and "[email]" in event["exception"]["values"][-1]["value"]
    assert "someone@example.com" not in raw and "sk-live-999" not in raw
    assert not event.get("user")  # no id left over from an earlier request


def test_scrub_removes_credential_headers_cookies_bodies_and_query_strings():
    event = monitoring.scrub({"request": {
        "url": "https://modo.example/api/v1/projects", "method": "POST", "query_string": "email=a@b.co",
        "headers": {"Authorization": "Bearer mdk_1", "Cookie": "sessionid=s3", "X-CSRFToken": "c", "User-Agent": "UA"},
        "cookies": {"sessionid": "s3"}, "data": {"password": "pw"}, "env": {"REMOTE_ADDR": "10.0.0.1"}}})
    assert event["request"] == {"url": "https://modo.example/api/v1/projects", "method": "POST",
                                "query_string": "[Filtered]", "headers": {"User-Agent": "UA"}}


def test_scrub_keeps_only_the_user_id():
    event = monitoring.scrub({"user": {"id": 7, "email": "a@b.co", "ip_address": "10.0.0.1", "username": "a@b.co"},
                              "extra": {"api_key": "abc", "note": "mail a@b.co"}})
    assert event["user"] == {"id": "7"}
    assert event["extra"] == {"api_key": "[Filtered]", "note": "mail [email]"}
