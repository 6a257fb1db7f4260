"""The contract every adapter keeps, run against each vendor kind with HTTP stubbed at the
transport (see stubs.py), so the vendor SDKs run for real, and against the offline adapter.

Each kind has a harness: the stub routes in its vendor's wire format and what its SDK must have
sent (method, path, model id, auth header). The tests themselves are shared."""

import json
import socket

import httpx
import pytest

from aiproviders.adapters import adapter_for, errors, payloads
from aiproviders.adapters.anthropic import AnthropicAdapter
from aiproviders.adapters.base import (
    ImageRequest,
    ImageResult,
    ProviderConfig,
    ProviderError,
    TextRequest,
    Usage,
    VideoJob,
    VideoRequest,
)
from aiproviders.adapters.google import GoogleAdapter
from aiproviders.adapters.modelslab import ModelsLabAdapter
from aiproviders.adapters.openai import OpenAIAdapter
from aiproviders.adapters.replicate import ReplicateAdapter
from aiproviders.adapters.stability import StabilityAdapter

from . import stubs

KEY = "sk-contract-SECRET-7f3a9c1e5b"
CHUNKS = ["Mira ", "charts the ", "floating isles."]
USAGE = (42, 17)
SYSTEM = "You are a story editor."
TEXT = TextRequest(
    prompt="Write a logline for Mira.",
    system=SYSTEM,
    messages=[{"role": "user", "content": "Who is Mira?"}, {"role": "assistant", "content": "A young cartographer."}],
    max_tokens=300,
    temperature=0.5,
    context={"section": "character", "project": {"title": "Skyward Atlas", "genre": "adventure"},
             "subject": {"name": "Mira", "traits": ["curious", "stubborn"]}},
)
PNG = stubs.png(8, 8)
REFERENCE_A = stubs.png(4, 4, (10, 120, 200))
REFERENCE_B = stubs.png(4, 4, (240, 200, 10))


@pytest.fixture(autouse=True)
def no_network():
    """Belt and braces: respx already fails unmatched requests, this fails any real socket.

    Patched by hand rather than with monkeypatch, so that it is undone before conftest's cache
    clean-up (which may talk to Redis) runs."""

    def refuse(self, address):
        raise AssertionError(f"contract tests must not open network connections (tried {address!r})")

    saved = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = socket.socket.connect_ex = refuse
    yield
    socket.socket.connect, socket.socket.connect_ex = saved


def consume(items) -> tuple[list, ProviderError | None]:
    """What an iterator yielded before it raised ProviderError, and the error."""
    seen = []
    try:
        for item in items:
            seen.append(item)
    except ProviderError as error:
        return seen, error
    return seen, None


def header(request: httpx.Request, name: str) -> str:
    return request.headers.get(name, "")


# ------------------------------------------------------------------------------------ harnesses


class Harness:
    kind = ""
    adapter_class = None
    base_url = ""
    text_model = ""
    text = True  # writes text (the image and video vendors do not)
    streams = True  # text arrives as several pieces of one HTTP response
    video = False
    image_cases: tuple[str, ...] = ()

    def adapter(self, **settings):
        config = ProviderConfig(kind=self.kind, api_key=KEY, base_url=self.base_url, timeout=5.0, config=settings)
        return self.adapter_class(config)

    def assert_auth(self, request):
        name, value = self.auth
        assert header(request, name) == value


class OpenAIHarness(Harness):
    kind = "openai"
    adapter_class = OpenAIAdapter
    api = "https://api.openai.com/v1"
    auth = ("authorization", f"Bearer {KEY}")
    text_model = "gpt-4.1-mini"
    max_tokens_field = "max_completion_tokens"
    image_cases = ("generate_base64", "edit_references_download_url")

    def text_route(self, router):
        return router.post(f"{self.api}/chat/completions")

    def stub_text(self, router):
        return self.text_route(router).respond(
            200, text=stubs.openai_chat_stream(CHUNKS, usage=USAGE),
            headers={**stubs.SSE_HEADERS, "x-request-id": "req_text"})

    def check_text(self, route, usage):
        request = route.calls.last.request
        assert (request.method, request.url.path) == ("POST", "/v1/chat/completions")
        self.assert_auth(request)
        body = stubs.json_body(request)
        assert body["model"] == self.text_model
        assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
        assert body["messages"] == [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Who is Mira?"},
            {"role": "assistant", "content": "A young cartographer."},
            {"role": "user", "content": "Write a logline for Mira."},
        ]
        assert body[self.max_tokens_field] == 300 and body["temperature"] == 0.5
        assert usage.request_id == "req_text"

    def dropped_text(self):
        body = stubs.openai_chat_stream(CHUNKS, usage=USAGE)
        return httpx.Response(200, stream=stubs.DroppingStream(body[: body.index(CHUNKS[1])].encode()),
                              headers=stubs.SSE_HEADERS)

    def error_response(self, status, message, headers=None):
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        return httpx.Response(status, json=stubs.openai_error(message, code=code), headers=headers)

    def stub_content_policy(self, router):
        router.post(f"{self.api}/images/generations").respond(400, json=stubs.openai_error(
            "Your request was rejected as a result of our safety system.", code="content_policy_violation"))
        return lambda adapter: adapter.generate_image("gpt-image-1", ImageRequest(prompt="a forbidden scene"))

    def stub_connection(self, router):
        return router.get(f"{self.api}/models").respond(200, json=stubs.openai_models(["gpt-4.1", "gpt-image-1", "o3"]))

    def image_case(self, name, router):
        if name == "generate_base64":
            route = router.post(f"{self.api}/images/generations").respond(
                200, json=stubs.openai_images(b64_json=stubs.b64(PNG)), headers={"x-request-id": "req_img"})

            def check(result):
                request = route.calls.last.request
                assert (request.method, request.url.path) == ("POST", "/v1/images/generations")
                self.assert_auth(request)
                body = stubs.json_body(request)
                assert (body["model"], body["size"], body["n"]) == ("gpt-image-1", "1536x1024", 1)
                assert "response_format" not in body  # gpt-image models reject it
                assert result.request_id == "req_img"

            return "gpt-image-1", ImageRequest(prompt="Mira on a cliff", width=1600, height=1000), check

        route = router.post(f"{self.api}/images/edits").respond(
            200, json=stubs.openai_images(url="https://cdn.example/out/edit.png"))
        download = router.get("https://cdn.example/out/edit.png").respond(200, content=PNG,
                                                                         headers={"content-type": "image/png"})

        def check(result):
            request = route.calls.last.request
            assert (request.method, request.url.path) == ("POST", "/v1/images/edits")
            self.assert_auth(request)
            assert header(request, "content-type").startswith("multipart/form-data")
            assert request.content.count(b'name="image[]"') == 2
            assert b'name="model"\r\n\r\ngpt-image-1' in request.content
            assert REFERENCE_A in request.content and REFERENCE_B in request.content
            assert download.call_count == 1
            assert "authorization" not in download.calls.last.request.headers  # the key stays with the vendor

        return "gpt-image-1", ImageRequest(prompt="Mira and Tomo", references=[REFERENCE_A, REFERENCE_B]), check


class OpenAICompatibleHarness(OpenAIHarness):
    kind = "openai_compatible"
    base_url = "http://llm.local:8000/v1"
    api = "http://llm.local:8000/v1"
    text_model = "llama3.1:8b"
    max_tokens_field = "max_tokens"
    image_cases = ("generate_download_url",)

    def image_case(self, name, router):
        route = router.post(f"{self.api}/images/generations").respond(
            200, json=stubs.openai_images(url="http://llm.local:8000/files/out.png"))
        router.get("http://llm.local:8000/files/out.png").respond(200, content=PNG)

        def check(result):
            body = stubs.json_body(route.calls.last.request)
            assert (body["model"], body["size"]) == ("sdxl-turbo", "1024x1024")
            self.assert_auth(route.calls.last.request)

        return "sdxl-turbo", ImageRequest(prompt="Mira", width=512, height=512), check


class AnthropicHarness(Harness):
    kind = "anthropic"
    adapter_class = AnthropicAdapter
    api = "https://api.anthropic.com"
    # anthropic 2.x sends the API key as a bearer token (1.x sent x-api-key).
    auth = ("authorization", f"Bearer {KEY}")
    text_model = "claude-sonnet-4-6"

    def text_route(self, router):
        return router.post(f"{self.api}/v1/messages")

    def stub_text(self, router, stop_reason="end_turn"):
        return self.text_route(router).respond(
            200, text=stubs.anthropic_stream(CHUNKS, usage=USAGE, stop_reason=stop_reason),
            headers={**stubs.SSE_HEADERS, "request-id": "req_ant"})

    def check_text(self, route, usage):
        request = route.calls.last.request
        assert (request.method, request.url.path) == ("POST", "/v1/messages")
        self.assert_auth(request)
        assert header(request, "anthropic-version")
        body = stubs.json_body(request)
        assert (body["model"], body["max_tokens"], body["stream"], body["system"]) == (
            self.text_model, 300, True, SYSTEM)
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
        assert usage.request_id == "req_ant"

    def dropped_text(self):
        body = stubs.anthropic_stream(CHUNKS, usage=USAGE)
        return httpx.Response(200, stream=stubs.DroppingStream(body[: body.index(CHUNKS[1])].encode()),
                              headers=stubs.SSE_HEADERS)

    def error_response(self, status, message, headers=None):
        kind = {401: "authentication_error", 429: "rate_limit_error", 500: "api_error", 503: "overloaded_error"}
        return httpx.Response(status, json=stubs.anthropic_error(message, type=kind.get(status, "invalid_request_error")),
                              headers=headers)

    def stub_content_policy(self, router):
        self.stub_text(router, stop_reason="refusal")
        return lambda adapter: list(adapter.generate_text(self.text_model, TEXT))

    def stub_connection(self, router):
        return router.get(f"{self.api}/v1/models", params={"limit": "1"}).respond(
            200, json=stubs.anthropic_models(["claude-sonnet-4-6"]))


class GoogleHarness(Harness):
    kind = "google"
    adapter_class = GoogleAdapter
    api = "https://generativelanguage.googleapis.com/v1"  # google-genai 3.x defaults to v1, not v1beta
    auth = ("x-goog-api-key", KEY)
    text_model = "gemini-2.5-flash"
    image_cases = ("gemini_prompt_only", "gemini_with_references")

    def text_route(self, router):
        return router.post(f"{self.api}/models/{self.text_model}:streamGenerateContent")

    def stub_text(self, router, **kwargs):
        return self.text_route(router).respond(200, text=stubs.gemini_stream(CHUNKS, usage=USAGE, **kwargs),
                                               headers=stubs.SSE_HEADERS)

    def check_text(self, route, usage):
        request = route.calls.last.request
        assert request.method == "POST"
        assert request.url.path == f"/v1/models/{self.text_model}:streamGenerateContent"
        assert request.url.params["alt"] == "sse"
        self.assert_auth(request)
        body = stubs.json_body(request)
        assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
        assert body["contents"][-1]["parts"] == [{"text": "Write a logline for Mira."}]
        assert body["systemInstruction"]["parts"] == [{"text": SYSTEM}]
        assert body["generationConfig"] == {"maxOutputTokens": 300, "temperature": 0.5}
        assert usage.request_id == "resp-1"

    def dropped_text(self):
        body = stubs.gemini_stream(CHUNKS, usage=USAGE)
        return httpx.Response(200, stream=stubs.DroppingStream(body[: body.index(CHUNKS[1])].encode()),
                              headers=stubs.SSE_HEADERS)

    def error_response(self, status, message, headers=None):
        name = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                503: "UNAVAILABLE"}[status]
        return httpx.Response(status, json=stubs.google_error(status, message, status=name), headers=headers)

    def stub_content_policy(self, router):
        self.stub_text(router, block_reason="SAFETY")
        return lambda adapter: list(adapter.generate_text(self.text_model, TEXT))

    def stub_connection(self, router):
        return router.get(f"{self.api}/models").respond(200, json=stubs.google_models(["models/gemini-2.5-flash"]))

    def image_case(self, name, router):
        model = "gemini-2.5-flash-image"
        route = router.post(f"{self.api}/models/{model}:generateContent").respond(
            200, json=stubs.gemini_image_response(PNG))
        if name == "gemini_prompt_only":

            def check(result):
                request = route.calls.last.request
                assert (request.method, request.url.path) == ("POST", f"/v1/models/{model}:generateContent")
                self.assert_auth(request)
                body = stubs.json_body(request)
                assert body["contents"] == [{"role": "user", "parts": [{"text": "Mira at dawn"}]}]
                assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}

            return model, ImageRequest(prompt="Mira at dawn", width=1600, height=900), check

        def check(result):
            request = route.calls.last.request
            assert (request.method, request.url.path) == ("POST", f"/v1/models/{model}:generateContent")
            self.assert_auth(request)
            body = stubs.json_body(request)
            parts = body["contents"][0]["parts"]
            assert [p["inlineData"]["data"] for p in parts[:2]] == [stubs.b64(REFERENCE_A), stubs.b64(REFERENCE_B)]
            assert parts[2] == {"text": "Mira and Tomo"}
            assert "IMAGE" in body["generationConfig"]["responseModalities"]
            assert result.request_id == "resp-img"

        return model, ImageRequest(prompt="Mira and Tomo", references=[REFERENCE_A, REFERENCE_B]), check


class ReplicateHarness(Harness):
    kind = "replicate"
    adapter_class = ReplicateAdapter
    api = "https://api.replicate.com"
    auth = ("authorization", f"Bearer {KEY}")
    text_model = "meta/meta-llama-3-8b-instruct"
    streams = False  # one prediction; its output list becomes the chunks
    video = True
    image_cases = ("model_wait_poll_download", "version_with_reference", "several_references")

    def adapter(self, **settings):
        return super().adapter(poll_interval=0, **settings)

    def text_route(self, router):
        return router.post(f"{self.api}/v1/models/{self.text_model}/predictions")

    def stub_text(self, router):
        return self.text_route(router).respond(201, json=stubs.prediction(
            "p-text", "succeeded", output=CHUNKS, model=self.text_model,
            metrics={"input_token_count": USAGE[0], "output_token_count": USAGE[1]}))

    def check_text(self, route, usage):
        request = route.calls.last.request
        assert (request.method, request.url.path) == ("POST", f"/v1/models/{self.text_model}/predictions")
        self.assert_auth(request)
        assert header(request, "prefer") == "wait=5"
        model_input = stubs.json_body(request)["input"]
        assert model_input["system_prompt"] == SYSTEM
        assert model_input["prompt"].endswith("User: Write a logline for Mira.\n\nAssistant:")
        assert (model_input["max_tokens"], model_input["temperature"]) == (300, 0.5)
        assert usage.request_id == "p-text"

    def dropped_text(self):
        return httpx.Response(201, stream=stubs.DroppingStream(b'{"id": "p-te'),
                              headers={"content-type": "application/json"})

    def error_response(self, status, message, headers=None):
        return httpx.Response(status, json=stubs.replicate_error(status, message), headers=headers)

    def stub_content_policy(self, router):
        model = "black-forest-labs/flux-schnell"
        router.post(f"{self.api}/v1/models/{model}/predictions").respond(201, json=stubs.prediction("p-nsfw", "processing"))
        router.get(f"{self.api}/v1/predictions/p-nsfw").respond(200, json=stubs.prediction(
            "p-nsfw", "failed", error="NSFW content detected. Try running it again, or try a different prompt."))
        return lambda adapter: adapter.generate_image(model, ImageRequest(prompt="a forbidden scene"))

    def stub_connection(self, router):
        return router.get(f"{self.api}/v1/account").respond(200, json=stubs.replicate_account("skyward"))

    def image_case(self, name, router):
        if name == "model_wait_poll_download":
            model = "black-forest-labs/flux-schnell"
            create = router.post(f"{self.api}/v1/models/{model}/predictions").respond(
                201, json=stubs.prediction("p-img", "starting", model=model))
            poll = router.get(f"{self.api}/v1/predictions/p-img").mock(side_effect=[
                httpx.Response(200, json=stubs.prediction("p-img", "processing", model=model)),
                httpx.Response(200, json=stubs.prediction(
                    "p-img", "succeeded", model=model, output=["https://replicate.delivery/xezq/out-0.png"])),
            ])
            download = router.get("https://replicate.delivery/xezq/out-0.png").respond(200, content=PNG)

            def check(result):
                request = create.calls.last.request
                assert (request.method, request.url.path) == ("POST", f"/v1/models/{model}/predictions")
                self.assert_auth(request)
                assert header(request, "prefer") == "wait=5"
                assert stubs.json_body(request)["input"] == {"prompt": "Mira at dawn", "aspect_ratio": "16:9"}
                assert poll.call_count == 2
                assert "authorization" not in download.calls.last.request.headers  # the token stays with Replicate
                assert result.request_id == "p-img"

            return model, ImageRequest(prompt="Mira at dawn", width=1600, height=900), check

        if name == "version_with_reference":
            create = router.post(f"{self.api}/v1/predictions").respond(201, json=stubs.prediction(
                "p-i2i", "succeeded", output="https://replicate.delivery/xezq/i2i.png"))
            router.get("https://replicate.delivery/xezq/i2i.png").respond(200, content=PNG)

            def check(result):
                request = create.calls.last.request
                assert (request.method, request.url.path) == ("POST", "/v1/predictions")
                self.assert_auth(request)
                body = stubs.json_body(request)
                assert body["version"] == "39ed52f2"
                assert body["input"]["image"] == payloads.data_uri(REFERENCE_A)
                assert body["input"]["image"].startswith("data:image/png;base64,")
                assert body["input"]["prompt_strength"] == 0.4

            return "stability-ai/sdxl:39ed52f2", ImageRequest(prompt="as ink", references=[REFERENCE_A], strength=0.4), check

        model = "google/nano-banana"
        create = router.post(f"{self.api}/v1/models/{model}/predictions").respond(201, json=stubs.prediction(
            "p-multi", "succeeded", model=model, output="https://replicate.delivery/xezq/multi.png"))
        router.get("https://replicate.delivery/xezq/multi.png").respond(200, content=PNG)

        def check(result):
            model_input = stubs.json_body(create.calls.last.request)["input"]
            assert model_input["image_input"] == [payloads.data_uri(REFERENCE_A), payloads.data_uri(REFERENCE_B)]
            assert "prompt_strength" not in model_input

        return model, ImageRequest(prompt="Mira and Tomo", references=[REFERENCE_A, REFERENCE_B]), check


class LocalHarness(Harness):
    """The offline adapter: no stubs at all, so any HTTP it tried would fail the test."""

    kind = "local"
    text_model = "offline-draft"
    image_cases = ("generate", "stylise_reference")

    def adapter(self, **settings):
        return adapter_for(ProviderConfig(kind="local", config=settings))

    def stub_text(self, router):
        return None

    def check_text(self, route, usage):
        pass

    def stub_connection(self, router):
        return None

    def image_case(self, name, router):
        references = [REFERENCE_A] if name == "stylise_reference" else []
        request = ImageRequest(prompt="Mira", references=references, width=256, height=256, style="anime",
                               subject={"name": "Mira", "traits": ["curious"]})
        return "offline-image", request, lambda result: None


ML = "https://modelslab.com/api"
ST = "https://api.stability.ai"


def ml_processing(job_id=7001, eta=3):
    return {"status": "processing", "id": job_id, "eta": eta, "message": "Request processing",
            "fetch_result": f"{ML}/v7/images/fetch/{job_id}", "future_links": [f"https://pub.example/{job_id}.png"]}


def ml_success(url, job_id=7001):
    return {"status": "success", "id": job_id, "output": [url], "generationTime": 3.2}


def multipart_fields(request: httpx.Request) -> dict[str, bytes]:
    """name → raw value of each part of a multipart body."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = value[:-2]
    return fields


class ModelsLabHarness(Harness):
    """ModelsLab: the key in the JSON body; `processing` answers fetched until `success`."""

    kind = "modelslab"
    adapter_class = ModelsLabAdapter
    image_cases = ("t2i_processing_then_success", "multi_reference_i2i")
    text = False
    video = True

    def adapter(self, **settings):
        return ModelsLabAdapter(ProviderConfig(kind="modelslab", api_key=KEY, timeout=5.0,
                                               config={"poll_interval": 0, **settings}))

    def assert_auth(self, request):
        assert json.loads(request.content)["key"] == KEY

    def operation_route(self, router):
        return router.post(f"{ML}/v7/images/text-to-image")

    def operation(self, adapter):
        return adapter.generate_image("seedream-4.5", ImageRequest(prompt="Mira"))

    def error_response(self, status, message):
        return httpx.Response(status, json={"status": "error", "message": message})

    def error_answer(self, kind):
        return httpx.Response(200, json={"status": "error", "message": {
            "auth": "Invalid Api Key", "quota": "Insufficient balance in your wallet",
            "policy": "NSFW content detected", "busy": "Rate limit exceeded, try again later",
            "bad": "prompt is required"}[kind]})

    def stub_connection(self, router):
        return router.post(f"{ML}/wallet_balance").respond(200, json={"status": "success",
                                                                     "data": {"balance": 43.6, "currency": "USD"}})

    def image_case(self, name, router):
        if name == "t2i_processing_then_success":
            start = router.post(f"{ML}/v7/images/text-to-image").respond(200, json=ml_processing())
            fetch = router.post(f"{ML}/v7/images/fetch/7001").mock(side_effect=[
                httpx.Response(200, json=ml_processing()),
                httpx.Response(200, json=ml_success("https://pub.example/7001.png")),
            ])
            download = router.get("https://pub.example/7001.png").respond(200, content=PNG)

            def check(result):
                request = start.calls.last.request
                assert (request.method, str(request.url)) == ("POST", f"{ML}/v7/images/text-to-image")
                self.assert_auth(request)
                body = json.loads(request.content)
                assert (body["model_id"], body["prompt"], body["aspect_ratio"]) == ("seedream-4.5", "Mira at dawn", "16:9")
                assert "init_image" not in body
                assert fetch.call_count == 2 and all(json.loads(c.request.content) == {"key": KEY} for c in fetch.calls)
                assert "key" not in str(download.calls.last.request.url) and not download.calls.last.request.content
                assert result.request_id == "7001"

            return "seedream-4.5", ImageRequest(prompt="Mira at dawn", width=1600, height=900), check

        start = router.post(f"{ML}/v7/images/image-to-image").respond(
            200, json=ml_success("https://pub.example/board.png", job_id=7002))
        router.get("https://pub.example/board.png").respond(200, content=PNG)

        def check(result):
            request = start.calls.last.request
            assert (request.method, str(request.url)) == ("POST", f"{ML}/v7/images/image-to-image")
            self.assert_auth(request)
            body = json.loads(request.content)
            assert body["model_id"] == "seedream-4.5-i2i"
            assert body["init_image"] == [payloads.data_uri(REFERENCE_A), payloads.data_uri(REFERENCE_B)]
            assert body["strength"] == 0.5

        return "seedream-4.5-i2i", ImageRequest(prompt="Mira and Tomo", references=[REFERENCE_A, REFERENCE_B],
                                                strength=0.5), check


class StabilityHarness(Harness):
    """Stability AI: bearer key, multipart forms, image bytes back."""

    kind = "stability"
    adapter_class = StabilityAdapter
    image_cases = ("core_t2i", "sd3_i2i_strength", "sdxl_t2i", "sdxl_i2i")
    text = False

    def adapter(self, **settings):
        return StabilityAdapter(ProviderConfig(kind="stability", api_key=KEY, timeout=5.0, config=settings))

    def assert_auth(self, request):
        assert request.headers["authorization"] == f"Bearer {KEY}"

    def operation_route(self, router):
        return router.post(f"{ST}/v2beta/stable-image/generate/core")

    def operation(self, adapter):
        return adapter.generate_image("core", ImageRequest(prompt="Mira"))

    def error_response(self, status, message):
        name = {400: "bad_request", 401: "unauthorized", 429: "rate_limit_exceeded", 500: "internal_error",
                503: "service_unavailable"}[status]
        return httpx.Response(status, json={"id": "e1", "name": name, "errors": [message]})

    def error_answer(self, kind):
        return {
            "auth": httpx.Response(401, json={"id": "e", "name": "unauthorized", "errors": ["missing authorization"]}),
            "quota": httpx.Response(402, json={"id": "e", "name": "payment_required", "errors": ["lacks credits"]}),
            "policy": httpx.Response(403, json={"id": "e", "name": "content_moderation", "errors": ["flagged"]}),
            "busy": httpx.Response(429, json={"id": "e", "name": "rate_limit_exceeded", "errors": ["slow down"]}),
            "bad": httpx.Response(400, json={"id": "e", "name": "bad_request", "errors": ["prompt: required"]}),
        }[kind]

    def stub_connection(self, router):
        return router.get(f"{ST}/v1/user/balance").respond(200, json={"credits": 12.5})

    def image_case(self, name, router):
        image = {"content": PNG, "headers": {"content-type": "image/png", "finish-reason": "SUCCESS", "seed": "42"}}
        if name == "core_t2i":
            route = router.post(f"{ST}/v2beta/stable-image/generate/core").respond(200, **image)

            def check(result):
                request = route.calls.last.request
                self.assert_auth(request)
                assert request.headers["accept"] == "image/*"
                assert request.headers["content-type"].startswith("multipart/form-data")
                fields = multipart_fields(request)
                assert (fields["prompt"], fields["aspect_ratio"], fields["output_format"]) == (b"Mira", b"16:9", b"png")

            return "core", ImageRequest(prompt="Mira", width=1600, height=900), check
        if name == "sd3_i2i_strength":
            route = router.post(f"{ST}/v2beta/stable-image/generate/sd3").respond(200, **image)

            def check(result):
                fields = multipart_fields(route.calls.last.request)
                self.assert_auth(route.calls.last.request)
                assert (fields["model"], fields["mode"], fields["strength"]) == (b"sd3.5-large", b"image-to-image", b"0.35")
                assert fields["image"] == REFERENCE_A and "aspect_ratio" not in fields

            return "sd3.5-large", ImageRequest(prompt="as ink", references=[REFERENCE_A], strength=0.35), check
        engine = "stable-diffusion-xl-1024-v1-0"
        if name == "sdxl_t2i":
            route = router.post(f"{ST}/v1/generation/{engine}/text-to-image").respond(200, **image)

            def check(result):
                request = route.calls.last.request
                self.assert_auth(request)
                assert request.headers["accept"] == "image/png"
                body = json.loads(request.content)
                assert body["text_prompts"] == [{"text": "Mira", "weight": 1}]
                assert (body["width"], body["height"], body["samples"]) == (1344, 768, 1)

            return engine, ImageRequest(prompt="Mira", width=1600, height=900), check
        route = router.post(f"{ST}/v1/generation/{engine}/image-to-image").respond(200, **image)

        def check(result):
            fields = multipart_fields(route.calls.last.request)
            assert (fields["init_image_mode"], fields["image_strength"]) == (b"IMAGE_STRENGTH", b"0.7")
            assert fields["init_image"] == REFERENCE_A and fields["text_prompts[0][text]"] == b"as ink"

        return engine, ImageRequest(prompt="as ink", references=[REFERENCE_A], strength=0.3), check


VENDORS = [OpenAIHarness(), OpenAICompatibleHarness(), AnthropicHarness(), GoogleHarness(), ReplicateHarness(),
           ModelsLabHarness(), StabilityHarness()]
ALL = [*VENDORS, LocalHarness()]
WRITERS = [h for h in ALL if h.text]
IMAGE_CASES = [pytest.param(h, case, id=f"{h.kind}-{case}") for h in ALL for case in h.image_cases]


def kinds(harnesses):
    return pytest.mark.parametrize("harness", harnesses, ids=lambda h: h.kind)


# ------------------------------------------------------------------------------------ text


@kinds(WRITERS)
def test_text_streams_chunks_then_exactly_one_usage(harness):
    with stubs.mock_http() as router:
        route = harness.stub_text(router)
        items = list(harness.adapter().generate_text(harness.text_model, TEXT))

    chunks, usage = items[:-1], items[-1]
    assert len(chunks) >= 2 and all(isinstance(chunk, str) and chunk for chunk in chunks)
    assert isinstance(usage, Usage)
    if route is not None:
        assert "".join(chunks) == "".join(CHUNKS)
        assert (usage.input_tokens, usage.output_tokens) == USAGE
        assert route.call_count == 1
        harness.check_text(route, usage)


@kinds([h for h in ALL if not h.text])
def test_text_is_unsupported_and_permanent_for_the_image_vendors(harness):
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            list(harness.adapter().generate_text("any-model", TEXT))
        assert not router.calls
    assert info.value.permanent and info.value.code == "unsupported"


# ------------------------------------------------------------------------------------ images


@pytest.mark.parametrize(("harness", "case"), IMAGE_CASES)
def test_image_comes_back_as_bytes_with_its_type(harness, case):
    with stubs.mock_http() as router:
        model_id, request, check = harness.image_case(case, router)
        result = harness.adapter().generate_image(model_id, request)

    assert isinstance(result, ImageResult)
    assert isinstance(result.data, bytes) and result.data
    assert result.mime.startswith("image/")
    if harness.kind != "local":
        assert (result.data, result.mime, result.width, result.height) == (PNG, "image/png", 8, 8)
    check(result)


def test_anthropic_makes_no_images():
    with stubs.mock_http():
        with pytest.raises(ProviderError) as info:
            AnthropicHarness().adapter().generate_image("claude-sonnet-4-6", ImageRequest(prompt="Mira"))
    assert info.value.permanent and info.value.code == "unsupported"


def test_imagen_is_refused_on_the_gemini_developer_api():
    """google-genai 3.x raises ValueError for generate_images unless it talks to Vertex AI."""
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            GoogleHarness().adapter().generate_image("imagen-4.0-generate-001", ImageRequest(prompt="Mira"))
        assert not router.calls
    assert info.value.permanent and info.value.code == "unsupported"


def test_replicate_cancels_a_prediction_that_outlives_the_timeout():
    harness = ReplicateHarness()
    model = "black-forest-labs/flux-dev"
    config = ProviderConfig(kind="replicate", api_key=KEY, timeout=0.3, config={"poll_interval": 0.05})
    with stubs.mock_http() as router:
        router.post(f"{harness.api}/v1/models/{model}/predictions").respond(201, json=stubs.prediction("p-slow", "starting"))
        router.get(f"{harness.api}/v1/predictions/p-slow").respond(200, json=stubs.prediction("p-slow", "processing"))
        cancel = router.post(f"{harness.api}/v1/predictions/p-slow/cancel").respond(
            200, json=stubs.prediction("p-slow", "canceled"))
        with pytest.raises(ProviderError) as info:
            ReplicateAdapter(config).generate_image(model, ImageRequest(prompt="Mira"))

    assert not info.value.permanent and info.value.code == "timeout"
    assert cancel.call_count == 1


# ------------------------------------------------------------------------------------ video


def test_replicate_video_starts_then_polls_until_the_mp4_is_downloaded():
    harness = ReplicateHarness()
    model = "kwaivgi/kling-v2.1"
    adapter = harness.adapter(webhook_url="https://studio.example/hooks/replicate")
    video_input = {"image": "data:...", "duration": 5, "prompt": "slow zoom"}
    with stubs.mock_http() as router:
        create = router.post(f"{harness.api}/v1/models/{model}/predictions").respond(
            201, json=stubs.prediction("p-vid", "starting", model=model, input=video_input))
        router.get(f"{harness.api}/v1/predictions/p-vid").mock(side_effect=[
            httpx.Response(200, json=stubs.prediction("p-vid", "processing", input=video_input,
                                                      logs="Generating\n 40%|████      | 2/5 [00:04<00:06]")),
            httpx.Response(200, json=stubs.prediction("p-vid", "succeeded", input=video_input,
                                                      output="https://replicate.delivery/xezq/clip.mp4")),
        ])
        router.get("https://replicate.delivery/xezq/clip.mp4").respond(200, content=stubs.MP4,
                                                                       headers={"content-type": "video/mp4"})

        started = adapter.start_video(model, VideoRequest(image=PNG, prompt="slow zoom", duration=5))
        running = adapter.poll_video(model, started.job_id)
        done = adapter.poll_video(model, started.job_id)

    request = create.calls.last.request
    assert (request.method, request.url.path) == ("POST", f"/v1/models/{model}/predictions")
    harness.assert_auth(request)
    assert "prefer" not in request.headers  # start_video returns at once
    body = stubs.json_body(request)
    assert body["input"] == {"image": payloads.data_uri(PNG), "duration": 5, "prompt": "slow zoom"}
    assert (body["webhook"], body["webhook_events_filter"]) == ("https://studio.example/hooks/replicate", ["completed"])

    assert (started.job_id, started.status, started.progress) == ("p-vid", "running", 0)
    assert (running.status, running.progress, running.data) == ("running", 40, None)
    assert isinstance(done, VideoJob)
    assert (done.status, done.progress, done.data, done.mime, done.duration) == ("succeeded", 100, stubs.MP4,
                                                                                  "video/mp4", 5.0)


@pytest.mark.parametrize(("error", "permanent", "code"), [
    ("NSFW content detected. Try running it again, or try a different prompt.", True, "content_policy"),
    ("CUDA out of memory", False, "prediction_failed"),
])
def test_replicate_failed_video_is_a_failed_job_with_the_error(error, permanent, code):
    harness = ReplicateHarness()
    with stubs.mock_http() as router:
        router.get(f"{harness.api}/v1/predictions/p-bad").respond(200, json=stubs.prediction("p-bad", "failed", error=error))
        job = harness.adapter().poll_video("kwaivgi/kling-v2.1", "p-bad")

    assert (job.status, job.data) == ("failed", None)
    assert isinstance(job.error, ProviderError)
    assert (job.error.permanent, job.error.code) == (permanent, code)


def test_replicate_poll_is_not_retried_by_the_client():
    """replicate.Client wraps its transport in a RetryTransport (ten tries on GET 503); the adapter turns it off."""
    harness = ReplicateHarness()
    with stubs.mock_http() as router:
        poll = router.get(f"{harness.api}/v1/predictions/p-vid").respond(503, json=stubs.replicate_error(503, "busy"))
        with pytest.raises(ProviderError) as info:
            harness.adapter().poll_video("kwaivgi/kling-v2.1", "p-vid")

    assert not info.value.permanent
    assert poll.call_count == 1


@kinds([h for h in VENDORS if not h.video])
def test_video_is_unsupported_and_permanent(harness):
    adapter = harness.adapter()
    with stubs.mock_http():
        with pytest.raises(ProviderError) as started:
            adapter.start_video("any-model", VideoRequest(image=PNG))
        with pytest.raises(ProviderError) as polled:
            adapter.poll_video("any-model", "job-1")

    for error in (started.value, polled.value):
        assert error.permanent and error.code == "unsupported"


# ------------------------------------------------------------------------------------ errors

TRANSIENT, PERMANENT = False, True
ERROR_CASES = {
    "401": PERMANENT,
    "400": PERMANENT,
    "content_policy": PERMANENT,
    "429_with_retry_after": TRANSIENT,
    "500": TRANSIENT,
    "503": TRANSIENT,
    "connect_error": TRANSIENT,
    "read_timeout": TRANSIENT,
    "dropped_mid_stream": TRANSIENT,
}


@kinds([h for h in VENDORS if h.text])  # the image vendors': test_adapter_contract_media.py
@pytest.mark.parametrize("case", ERROR_CASES)
def test_vendor_errors_become_provider_errors(harness, case):
    route = None
    with stubs.mock_http() as router:
        if case == "content_policy":
            operation = harness.stub_content_policy(router)
        else:
            route = harness.text_route(router)
            if case == "connect_error":
                route.mock(side_effect=httpx.ConnectError)
            elif case == "read_timeout":
                route.mock(side_effect=httpx.ReadTimeout)
            elif case == "dropped_mid_stream":
                route.mock(return_value=harness.dropped_text())
            else:
                status = int(case[:3])
                headers = {"retry-after": "7"} if status == 429 else None
                # Vendors echo what they were sent; the key must still not reach our messages.
                route.mock(return_value=harness.error_response(status, f"Incorrect API key provided: {KEY}", headers))

            def operation(adapter):
                seen, error = consume(adapter.generate_text(harness.text_model, TEXT))
                operation.seen = seen
                if error:
                    raise error

        with pytest.raises(ProviderError) as info:
            operation(harness.adapter())

    error = info.value
    assert error.permanent is ERROR_CASES[case]
    assert error.user_message and error.detail
    for text in (str(error), error.user_message, error.detail):
        assert KEY not in text
    if route is not None:
        assert route.call_count == 1  # the SDK made no retry of its own
    if case == "401":
        assert (error.code, error.user_message) == ("auth", errors.AUTH)
    if case == "content_policy":
        assert error.code == "content_policy"
    if case == "429_with_retry_after":
        assert (error.code, error.retry_after) == ("rate_limited", 7.0)
    if case in ("500", "503"):
        assert error.code == f"http_{case}"
    if case == "read_timeout":
        assert error.code == "timeout"
    if case == "dropped_mid_stream" and harness.streams:
        assert operation.seen == [CHUNKS[0]]  # the failure came out of the iterator, after the first chunk


def test_openai_out_of_quota_is_permanent():
    harness = OpenAIHarness()
    with stubs.mock_http() as router:
        harness.text_route(router).respond(429, json=stubs.openai_error(
            "You exceeded your current quota.", code="insufficient_quota", type="insufficient_quota"))
        with pytest.raises(ProviderError) as info:
            list(harness.adapter().generate_text(harness.text_model, TEXT))
    assert info.value.permanent and info.value.code == "quota"


def test_google_invalid_key_is_an_auth_error_and_retry_info_is_honoured():
    harness = GoogleHarness()
    bad_key = stubs.google_error(400, "API key not valid. Please pass a valid API key.", status="INVALID_ARGUMENT",
                                 details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}])
    throttled = stubs.google_error(429, "Quota exceeded.", status="RESOURCE_EXHAUSTED",
                                   details=[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12s"}])
    with stubs.mock_http() as router:
        harness.text_route(router).mock(side_effect=[httpx.Response(400, json=bad_key), httpx.Response(429, json=throttled)])
        adapter = harness.adapter()
        _, auth = consume(adapter.generate_text(harness.text_model, TEXT))
        _, rate = consume(adapter.generate_text(harness.text_model, TEXT))

    assert (auth.permanent, auth.code) == (True, "auth")
    assert (rate.permanent, rate.retry_after) == (False, 12.0)


@kinds([h for h in VENDORS if h.kind != "openai_compatible" and h.text])
def test_a_missing_key_fails_permanently_without_a_request(harness):
    config = ProviderConfig(kind=harness.kind, api_key="", base_url=harness.base_url)
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            list(harness.adapter_class(config).generate_text(harness.text_model, TEXT))
        assert not router.calls
    assert info.value.permanent and info.value.code == "auth"


# ------------------------------------------------------------------------------------ connection test


@kinds(ALL)
def test_connection_check_makes_one_request_and_describes_it(harness):
    with stubs.mock_http() as router:
        route = harness.stub_connection(router)
        description = harness.adapter().test_connection()
        requests = len(router.calls)

    assert isinstance(description, str) and description
    if route is not None:
        assert requests == 1
        harness.assert_auth(route.calls.last.request)
        assert KEY not in description


@kinds(ALL)
def test_the_registry_builds_the_adapter_for_each_kind(harness):
    adapter = adapter_for(ProviderConfig(kind=harness.kind, api_key=KEY, base_url=harness.base_url))
    if harness.adapter_class is not None:
        assert type(adapter) is harness.adapter_class
