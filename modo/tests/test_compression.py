"""Pages are gzipped; streams (server-sent events, files) are not."""

import pytest
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from modo.middleware import PageGZipMiddleware


@pytest.mark.django_db
def test_html_pages_are_gzipped(client):
    response = client.get("/pricing/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_streams_are_not_gzipped():
    events = StreamingHttpResponse(iter([b"event: start\ndata: {}\n\n"] * 20), content_type="text/event-stream")
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")

    response = PageGZipMiddleware(lambda r: events)(request)

    assert not response.has_header("Content-Encoding")
