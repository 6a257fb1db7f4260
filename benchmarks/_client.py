"""The load clients' HTTP: the standard library's http.client, one connection per request.

What a figure times is the server and the loopback, so the client must add as little as it can:
wrk, the usual tool, adds next to nothing. A full-featured Python client does not — on this
machine httpx took 3.0 ms for a static file that gunicorn served in 0.6 ms (server time), where
http.client took 1.6 ms; for the generation request that is ~1 ms of the client's own Python
inside the timed window. Sync gunicorn workers close the connection after each response, so a
new connection per request is what any client gets from them."""

import http.client
import json as jsonlib
from urllib.parse import urlsplit


class Response:
    def __init__(self, status_code: int, content: bytes, headers: dict):
        self.status_code, self.content, self.headers = status_code, content, headers

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class LoadClient:
    """`get` / `post` like httpx's, for the timed requests. A timeout raises TimeoutError."""

    def __init__(self, base_url: str, timeout: float = 30, **headers):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout, self.headers = parts.hostname, parts.port, timeout, headers

    def request(self, method: str, path: str, *, json=None, headers: dict | None = None,
                timeout: float | None = None) -> Response:
        body = None if json is None else jsonlib.dumps(json).encode()
        sent = {**self.headers, **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Response(response.status, response.read(), dict(response.getheaders()))
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
