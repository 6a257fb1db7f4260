"""The bench's load client (benchmarks/_client.py) speaks plain HTTP/1.1 to a real server: what
the timed figures rely on — status, body, JSON both ways, headers, a timeout as TimeoutError."""

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _client import LoadClient  # noqa: E402

from accounts.tests.factories import bearer  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def test_get_and_post_json_against_a_live_server(live_server, user):
    client = LoadClient(live_server.url)
    token = bearer(user)["HTTP_AUTHORIZATION"]

    me = client.get("/api/v1/me", headers={"Authorization": token})
    assert me.status_code == 200 and me.json()["data"]["email"] == user.email
    assert me.headers["Content-Type"].startswith("application/json")

    refused = client.post("/api/v1/generate/character", json={"character": "not-a-uuid"},
                          headers={"Authorization": token})
    assert refused.status_code == 422 and "character" in refused.text


def test_a_server_that_does_not_answer_is_a_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = LoadClient(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.2)
        with pytest.raises(TimeoutError):
            client.get("/")
