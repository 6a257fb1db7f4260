"""The adapter contract, continued for the image and video vendors of issue 20 — ModelsLab,
Stability AI, OpenAI's DALL-E 3 and Imagen on Vertex AI — with HTTP stubbed at the transport
(respx, see stubs.py). Their harnesses live with the others in test_adapter_contract.py (whose
shared image, connection, registry and video tests run them too); the tests here are the ones
a vendor without text needs: what was sent (method, URL, auth, body fields) and how every kind
of failure maps to ProviderError (4xx permanent; 429, 5xx, timeouts and dropped connections
transient; malformed answers mapped, never raised raw)."""

import json

import httpx
import pytest

from aiproviders.adapters import errors, payloads
from aiproviders.adapters.base import ImageRequest, ProviderConfig, ProviderError, UpscaleRequest, VideoRequest
from aiproviders.adapters.google import GoogleAdapter
from aiproviders.adapters.openai import OpenAIAdapter

from . import stubs
from .test_adapter_contract import (  # noqa: F401
    KEY,
    ML,
    PNG,
    ST,
    ModelsLabHarness,
    StabilityHarness,
    ml_processing,
    ml_success,
    multipart_fields,
    no_network,
)

HARNESSES = [ModelsLabHarness(), StabilityHarness()]


def kinds(harnesses=HARNESSES):
    return pytest.mark.parametrize("harness", harnesses, ids=lambda h: h.kind)


# ------------------------------------------------------------------------------------ keys


@kinds()
def test_a_missing_key_fails_permanently_without_a_request(harness):
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            harness.operation(harness.adapter_class(ProviderConfig(kind=harness.kind, api_key="")))
        assert not router.calls
    assert (info.value.permanent, info.value.code) == (True, "auth")


# ------------------------------------------------------------------------------------ errors

ERROR_CASES = {  # case → (permanent, code)
    "400": (True, "bad_request"),
    "401": (True, "auth"),
    "429": (False, "rate_limited"),
    "500": (False, "http_500"),
    "503": (False, "http_503"),
    "connect_error": (False, "connection"),
    "read_timeout": (False, "timeout"),
    "answer_auth": (True, "auth"),
    "answer_quota": (True, "quota"),
    "answer_policy": (True, "content_policy"),
    "answer_busy": (False, "rate_limited"),
    "answer_bad": (True, "bad_request"),
}


@kinds()
@pytest.mark.parametrize("case", ERROR_CASES)
def test_vendor_errors_become_provider_errors(harness, case):
    with stubs.mock_http() as router:
        route = harness.operation_route(router)
        if case == "connect_error":
            route.mock(side_effect=httpx.ConnectError)
        elif case == "read_timeout":
            route.mock(side_effect=httpx.ReadTimeout)
        elif case.startswith("answer_"):
            route.mock(return_value=harness.error_answer(case.removeprefix("answer_")))
        else:
            route.mock(return_value=harness.error_response(int(case), f"Incorrect API key provided: {KEY}"))
        with pytest.raises(ProviderError) as info:
            harness.operation(harness.adapter())

    error = info.value
    assert (error.permanent, error.code) == ERROR_CASES[case]
    assert route.call_count == 1  # no retry of its own: the router owns retries
    for text in (str(error), error.user_message, error.detail):
        assert KEY not in text


@kinds()
@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b'{"status": "queued?"}', b"[]"])
def test_malformed_answers_are_provider_errors(harness, body):
    with stubs.mock_http() as router:
        harness.operation_route(router).respond(200, content=body, headers={"content-type": "application/json"})
        with pytest.raises(ProviderError) as info:
            harness.operation(harness.adapter())
    assert info.value.code in ("malformed", "bad_output")
    assert KEY not in info.value.detail


def test_stability_rate_limit_waits_its_documented_minute_and_content_filter_is_policy():
    harness = StabilityHarness()
    with stubs.mock_http() as router:
        harness.operation_route(router).mock(side_effect=[
            harness.error_answer("busy"),
            httpx.Response(200, content=PNG, headers={"content-type": "image/png", "finish-reason": "CONTENT_FILTERED"}),
        ])
        with pytest.raises(ProviderError) as limited:
            harness.operation(harness.adapter())
        with pytest.raises(ProviderError) as filtered:
            harness.operation(harness.adapter())
    assert (limited.value.permanent, limited.value.retry_after) == (False, 60.0)
    assert (filtered.value.permanent, filtered.value.code) == (True, "content_policy")


# ------------------------------------------------------------------------------------ outputs refused


@pytest.mark.parametrize(("content", "cap"), [(b"<html>not an image</html>", None), (PNG, 16)])
def test_modelslab_output_that_is_not_an_image_or_too_big_is_refused(content, cap):
    harness = ModelsLabHarness()
    options = {"max_image_bytes": cap} if cap else {}
    with stubs.mock_http() as router:
        router.post(f"{ML}/v7/images/text-to-image").respond(200, json=ml_success("https://pub.example/x.png"))
        router.get("https://pub.example/x.png").respond(200, content=content, headers={"content-type": "image/png"})
        with pytest.raises(ProviderError) as info:
            harness.adapter(**options).generate_image("seedream-4.5", ImageRequest(prompt="Mira"))
    assert info.value.permanent and info.value.code in ("bad_output", "download_failed")
    assert info.value.user_message in (errors.BAD_OUTPUT, errors.DOWNLOAD)


def test_stability_answer_that_is_not_an_image_is_refused():
    harness = StabilityHarness()
    with stubs.mock_http() as router:
        harness.operation_route(router).respond(200, content=b"GIF89a-not-really", headers={"content-type": "image/gif"})
        with pytest.raises(ProviderError) as info:
            harness.operation(harness.adapter())
    assert (info.value.permanent, info.value.code) == (True, "bad_output")


# ------------------------------------------------------------------------------------ video


def test_modelslab_video_starts_then_polls_until_the_mp4_is_downloaded():
    harness = ModelsLabHarness()
    with stubs.mock_http() as router:
        start = router.post(f"{ML}/v7/video-fusion/image-to-video").respond(200, json=ml_processing(9001, eta=40))
        router.post(f"{ML}/v7/video-fusion/fetch/9001").mock(side_effect=[
            httpx.Response(200, json=ml_processing(9001)),
            httpx.Response(200, json=ml_success("https://pub.example/clip.mp4", job_id=9001)),
        ])
        router.get("https://pub.example/clip.mp4").respond(200, content=stubs.MP4)
        adapter = harness.adapter()
        started = adapter.start_video("ltx-2-pro-i2v", VideoRequest(image=PNG, prompt="slow zoom", duration=5))
        running = adapter.poll_video("ltx-2-pro-i2v", started.job_id)
        done = adapter.poll_video("ltx-2-pro-i2v", started.job_id)

    request = start.calls.last.request
    harness.assert_auth(request)
    body = json.loads(request.content)
    assert (body["model_id"], body["init_image"], body["duration"], body["prompt"]) == (
        "ltx-2-pro-i2v", payloads.data_uri(PNG), 5, "slow zoom")
    assert (started.job_id, started.status) == ("9001", "running")
    assert running.status == "running"
    assert (done.status, done.data, done.mime) == ("succeeded", stubs.MP4, "video/mp4")


@pytest.mark.parametrize(("answer", "permanent"), [
    ({"status": "error", "message": "Generation failed on the server side"}, True),
    ({"status": "failed", "messege": "Failed to generate video"}, True),
    ({"status": "error", "message": "Server is busy, try again"}, False),
])
def test_modelslab_failed_video_is_a_failed_job_or_a_transient_error(answer, permanent):
    harness = ModelsLabHarness()
    with stubs.mock_http() as router:
        router.post(f"{ML}/v7/video-fusion/fetch/9002").respond(200, json=answer)
        if permanent:
            job = harness.adapter().poll_video("ltx-2-pro-i2v", "9002")
            assert (job.status, job.data) == ("failed", None)
            assert job.error.permanent and job.error.user_message
        else:
            with pytest.raises(ProviderError) as info:
                harness.adapter().poll_video("ltx-2-pro-i2v", "9002")
            assert not info.value.permanent


def test_modelslab_non_video_output_is_refused():
    with stubs.mock_http() as router:
        router.post(f"{ML}/v7/video-fusion/image-to-video").respond(200, json=ml_success("https://pub.example/c.mp4"))
        router.get("https://pub.example/c.mp4").respond(200, content=PNG)
        with pytest.raises(ProviderError) as info:
            ModelsLabHarness().adapter().start_video("ltx-2-pro-i2v", VideoRequest(image=PNG))
    assert (info.value.permanent, info.value.code) == (True, "bad_output")


# ------------------------------------------------------------------------------------ upscale


@pytest.mark.parametrize(("model_id", "prompt_sent"), [("fast", None), ("conservative", b"Mira, sharper")])
def test_stability_upscale_sends_the_image_and_returns_the_bigger_one(model_id, prompt_sent):
    big = stubs.png(32, 32)
    with stubs.mock_http() as router:
        route = router.post(f"{ST}/v2beta/stable-image/upscale/{model_id}").respond(
            200, content=big, headers={"content-type": "image/png"})
        result = StabilityHarness().adapter().upscale_image(model_id, UpscaleRequest(image=PNG, prompt="Mira, sharper"))

    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}" and request.headers["accept"] == "image/*"
    fields = multipart_fields(request)
    assert fields["image"] == PNG and fields.get("prompt") == prompt_sent
    assert (result.data, result.width, result.height) == (big, 32, 32)


def test_upscale_is_unsupported_elsewhere():
    with pytest.raises(ProviderError) as info:
        ModelsLabHarness().adapter().upscale_image("seedream-4.5", UpscaleRequest(image=PNG))
    assert (info.value.permanent, info.value.code) == (True, "unsupported")


# ------------------------------------------------------------------------------------ DALL-E 3


def test_dall_e_3_quality_and_sizes_come_from_the_model_options():
    options = {"quality": "hd", "sizes": {"square": "1024x1024", "wide": "1792x1024", "tall": "1024x1792"}}
    adapter = OpenAIAdapter(ProviderConfig(kind="openai", api_key=KEY, timeout=5.0,
                                           config={"models": {"dall-e-3": options}}))
    with stubs.mock_http() as router:
        route = router.post("https://api.openai.com/v1/images/generations").respond(
            200, json=stubs.openai_images(b64_json=stubs.b64(PNG)))
        for width, height in ((1024, 1024), (1600, 900), (900, 1600)):
            adapter.generate_image("dall-e-3", ImageRequest(prompt="Mira", width=width, height=height))

    bodies = [json.loads(call.request.content) for call in route.calls]
    assert [b["size"] for b in bodies] == ["1024x1024", "1792x1024", "1024x1792"]
    assert {b["quality"] for b in bodies} == {"hd"} and {b["model"] for b in bodies} == {"dall-e-3"}
    assert all(b["response_format"] == "b64_json" for b in bodies)
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"

    other = {"quality": "standard", "sizes": {"square": "1024x1024"}}
    adapter = OpenAIAdapter(ProviderConfig(kind="openai", api_key=KEY, config={"models": {"dall-e-3": other}}))
    with stubs.mock_http() as router:
        route = router.post("https://api.openai.com/v1/images/generations").respond(
            200, json=stubs.openai_images(b64_json=stubs.b64(PNG)))
        adapter.generate_image("dall-e-3", ImageRequest(prompt="Mira", width=1600, height=900))
    body = json.loads(route.calls.last.request.content)
    assert (body["quality"], body["size"]) == ("standard", "1024x1024")


# ------------------------------------------------------------------------------------ Imagen on Vertex AI


def service_account_json(project="skyward-42") -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return json.dumps({"type": "service_account", "project_id": project, "private_key_id": "kid-1",
                       "private_key": pem, "client_email": f"studio@{project}.iam.gserviceaccount.com",
                       "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"})


def test_imagen_runs_on_vertex_ai_with_a_service_account():
    credentials = service_account_json()
    config = ProviderConfig(kind="google", timeout=5.0, credentials=credentials, config={"location": "us-central1"})
    predict = ("https://us-central1-aiplatform.googleapis.com/v1beta1/projects/skyward-42/locations/us-central1/"
               "publishers/google/models/imagen-3.0-generate-002:predict")
    with stubs.mock_http() as router:
        token = router.post("https://oauth2.googleapis.com/token").respond(
            200, json={"access_token": "ya29.vertex-token", "expires_in": 3600, "token_type": "Bearer"})
        route = router.post(predict).respond(200, json={"predictions": [
            {"bytesBase64Encoded": stubs.b64(PNG), "mimeType": "image/png"}]})
        result = GoogleAdapter(config).generate_image("imagen-3.0-generate-002",
                                                      ImageRequest(prompt="Mira", width=1600, height=900))

    assert token.call_count == 1  # the JWT grant, over httpx (then cached for the hour in the process)
    assert b"jwt-bearer" in token.calls.last.request.content and b"assertion=" in token.calls.last.request.content
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer ya29.vertex-token"
    body = json.loads(request.content)
    assert body["instances"] == [{"prompt": "Mira"}]
    assert (body["parameters"]["sampleCount"], body["parameters"]["aspectRatio"]) == (1, "16:9")
    assert (result.data, result.mime) == (PNG, "image/png")


def test_imagen_filtered_by_vertex_is_a_content_policy_error():
    config = ProviderConfig(kind="google", timeout=5.0, credentials=service_account_json("p2"),
                            config={"location": "europe-west4"})
    with stubs.mock_http() as router:
        router.post("https://oauth2.googleapis.com/token").respond(
            200, json={"access_token": "ya29.t", "expires_in": 3600, "token_type": "Bearer"})
        router.post(url__regex=r".*imagen-3.0-generate-002:predict").respond(200, json={"predictions": [
            {"raiFilteredReason": "39322892: the prompt violates the usage guidelines"}]})
        with pytest.raises(ProviderError) as info:
            GoogleAdapter(config).generate_image("imagen-3.0-generate-002", ImageRequest(prompt="forbidden"))
    assert (info.value.permanent, info.value.code) == (True, "content_policy")


def test_vertex_without_a_service_account_or_with_a_refused_one_is_an_auth_error():
    with pytest.raises(ProviderError) as missing:
        GoogleAdapter(ProviderConfig(kind="google", config={"location": "us-central1"})).generate_image(
            "imagen-3.0-generate-002", ImageRequest(prompt="Mira"))
    assert (missing.value.permanent, missing.value.code) == (True, "auth")

    config = ProviderConfig(kind="google", timeout=5.0, credentials=service_account_json("p3"),
                            config={"location": "us-central1"})
    with stubs.mock_http() as router:
        router.post("https://oauth2.googleapis.com/token").respond(
            400, json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        with pytest.raises(ProviderError) as refused:
            GoogleAdapter(config).generate_image("imagen-3.0-generate-002", ImageRequest(prompt="Mira"))
    assert (refused.value.permanent, refused.value.code) == (True, "auth")


def test_imagen_is_still_refused_with_a_clear_message_on_the_gemini_developer_api():
    with stubs.mock_http() as router:
        with pytest.raises(ProviderError) as info:
            GoogleAdapter(ProviderConfig(kind="google", api_key=KEY)).generate_image(
                "imagen-3.0-generate-002", ImageRequest(prompt="Mira"))
        assert not router.calls
    assert (info.value.permanent, info.value.code) == (True, "unsupported")
    assert "Vertex AI" in info.value.user_message and "Vertex AI" in info.value.detail
