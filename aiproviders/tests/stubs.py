"""HTTP stubs for the adapter contract tests: respx routing for both HTTP stacks, and response
bodies in each vendor's wire format.

respx replaces httpcore's connection pool, which is what httpx (and so the replicate client)
sends through. The openai, anthropic and google-genai SDKs send through httpx2, whose pool is
httpcore2's: `HTTPCore2Mocker` gives respx the same hold on it, converting requests, responses
and transport errors between the two, so `mock_http()` routes both stacks through one router.
Everything above the pool — the SDKs, their SSE decoders, error classes — is the real code.
"""

import base64
import io
import json
from contextlib import contextmanager

import httpcore2
import httpx
import respx
from respx.mocks import HTTPCoreMocker

# ---------------------------------------------------------------- routing both HTTP stacks


def _to_httpcore2(exc: httpx.TransportError) -> Exception:
    """httpx.ConnectError → httpcore2.ConnectError, and so on, which httpx2 maps to its own."""
    return getattr(httpcore2, type(exc).__name__, httpcore2.NetworkError)(str(exc))


class _Httpcore2Stream:
    def __init__(self, stream):
        self._stream = stream

    def __iter__(self):
        try:
            yield from self._stream
        except httpx.TransportError as exc:  # a stubbed body that drops mid-way
            raise _to_httpcore2(exc) from exc

    def close(self):
        if hasattr(self._stream, "close"):
            self._stream.close()


class HTTPCore2Mocker(HTTPCoreMocker):
    name = "httpcore2"
    targets = [
        "httpcore2._sync.connection.HTTPConnection",
        "httpcore2._sync.connection_pool.ConnectionPool",
        "httpcore2._sync.http_proxy.HTTPProxy",
    ]
    target_methods = ["handle_request"]

    @classmethod
    def _send_sync_request(cls, httpx_request, **kwargs):
        try:
            return super()._send_sync_request(httpx_request, **kwargs)
        except httpx.TransportError as exc:  # side_effect=httpx.ConnectError and friends
            raise _to_httpcore2(exc) from exc

    @classmethod
    def from_sync_httpx_response(cls, httpx_response, target, **kwargs):
        return httpcore2.Response(
            status=httpx_response.status_code,
            headers=httpx_response.headers.raw,
            content=_Httpcore2Stream(httpx_response.stream),
            extensions=httpx_response.extensions,
        )


@contextmanager
def mock_http():
    """A respx router for httpx and httpx2 alike; a request no route matches fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        HTTPCore2Mocker.register(router)
        HTTPCore2Mocker.start()
        try:
            yield router
        finally:
            HTTPCore2Mocker.unregister(router)
            HTTPCore2Mocker.stop()


class DroppingStream(httpx.SyncByteStream):
    """A response body that sends `first` and then loses the connection."""

    def __init__(self, first: bytes):
        self.first = first

    def __iter__(self):
        yield self.first
        raise httpx.ReadError("connection reset by peer")


def json_body(request: httpx.Request) -> dict:
    return json.loads(request.content)


# ---------------------------------------------------------------- media


def png(width: int = 8, height: int = 8, color=(200, 40, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


# The start of an ISO base media file: enough for a sniffer to say video/mp4.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * 64


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sse(events: list[tuple[str | None, dict]], *, newline: str = "\n") -> str:
    """A text/event-stream body: (event name or None, JSON data) per event."""
    out = []
    for name, data in events:
        out.append((f"event: {name}{newline}" if name else "") + f"data: {json.dumps(data)}{newline}{newline}")
    return "".join(out)


SSE_HEADERS = {"content-type": "text/event-stream"}

# ---------------------------------------------------------------- OpenAI


def openai_chat_stream(chunks: list[str], *, usage: tuple[int, int], finish_reason: str = "stop") -> str:
    def chunk(choices, **extra):
        return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": choices,
                **extra}

    events = [(None, chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]))]
    events += [(None, chunk([{"index": 0, "delta": {"content": text}, "finish_reason": None}])) for text in chunks]
    events.append((None, chunk([{"index": 0, "delta": {}, "finish_reason": finish_reason}])))
    events.append((None, chunk([], usage={"prompt_tokens": usage[0], "completion_tokens": usage[1],
                                          "total_tokens": sum(usage)})))
    return sse(events) + "data: [DONE]\n\n"


def openai_error(message: str, *, code: str | None = None, type: str = "invalid_request_error") -> dict:
    return {"error": {"message": message, "type": type, "param": None, "code": code}}


def openai_images(*, b64_json: str | None = None, url: str | None = None) -> dict:
    return {"created": 1, "data": [{"b64_json": b64_json, "url": url}], "output_format": "png"}


def openai_models(ids: list[str]) -> dict:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1, "owned_by": "system"} for i in ids]}


# ---------------------------------------------------------------- Anthropic


def anthropic_stream(chunks: list[str], *, usage: tuple[int, int], stop_reason: str = "end_turn") -> str:
    message = {"id": "msg_01", "type": "message", "role": "assistant", "model": "m", "content": [], "stop_reason": None,
               "stop_sequence": None, "usage": {"input_tokens": usage[0], "output_tokens": 1}}
    events = [("message_start", {"type": "message_start", "message": message}),
              ("content_block_start", {"type": "content_block_start", "index": 0,
                                       "content_block": {"type": "text", "text": ""}}),
              ("ping", {"type": "ping"})]
    events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": text}}) for text in chunks]
    events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                  "usage": {"output_tokens": usage[1]}}),
               ("message_stop", {"type": "message_stop"})]
    return sse(events)


def anthropic_error(message: str, *, type: str = "invalid_request_error") -> dict:
    return {"type": "error", "error": {"type": type, "message": message}}


def anthropic_models(ids: list[str]) -> dict:
    return {"data": [{"id": i, "type": "model", "display_name": i, "created_at": "2025-01-01T00:00:00Z"} for i in ids],
            "has_more": False, "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


# ---------------------------------------------------------------- Google (Gemini API)


def gemini_stream(chunks: list[str], *, usage: tuple[int, int], finish_reason: str = "STOP",
                  block_reason: str | None = None) -> str:
    """What streamGenerateContent?alt=sse sends: one GenerateContentResponse per event, CRLF-separated."""
    if block_reason:
        return sse([(None, {"promptFeedback": {"blockReason": block_reason}, "responseId": "resp-1",
                            "usageMetadata": {"promptTokenCount": usage[0], "totalTokenCount": usage[0]}})],
                   newline="\r\n")
    events = []
    for n, text in enumerate(chunks):
        last = n == len(chunks) - 1
        candidate = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
        if last:
            candidate["finishReason"] = finish_reason
        event = {"candidates": [candidate], "modelVersion": "m", "responseId": "resp-1"}
        if last:
            event["usageMetadata"] = {"promptTokenCount": usage[0], "candidatesTokenCount": usage[1],
                                      "totalTokenCount": sum(usage)}
        events.append((None, event))
    return sse(events, newline="\r\n")


def google_error(code: int, message: str, *, status: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


def gemini_image_response(image: bytes) -> dict:
    parts = [{"text": "Here you go."}, {"inlineData": {"mimeType": "image/png", "data": b64(image)}}]
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "responseId": "resp-img", "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 1290}}


def google_models(names: list[str]) -> dict:
    return {"models": [{"name": n, "displayName": n} for n in names], "nextPageToken": "next"}


# ---------------------------------------------------------------- Replicate


def prediction(id: str, status: str, *, output=None, error=None, metrics=None, logs: str = "",
               model: str = "owner/name", input: dict | None = None) -> dict:
    return {
        "id": id, "model": model, "version": "v1", "status": status, "input": input or {}, "output": output,
        "logs": logs, "error": error, "metrics": metrics or {}, "created_at": "2025-01-01T00:00:00Z",
        "started_at": None, "completed_at": None,
        "urls": {"get": f"https://api.replicate.com/v1/predictions/{id}",
                 "cancel": f"https://api.replicate.com/v1/predictions/{id}/cancel"},
    }


def replicate_error(status: int, detail: str, *, title: str = "Error") -> dict:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def replicate_account(username: str = "studio") -> dict:
    return {"type": "organization", "username": username, "name": "Studio", "github_url": None}
