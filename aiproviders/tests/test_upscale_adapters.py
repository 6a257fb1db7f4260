"""Upscaling through the adapters: the offline resample (Lanczos + a mild unsharp mask, sizes,
formats, transparency, the pixel cap) and Replicate's Real-ESRGAN through the real `replicate`
client with HTTP stubbed at the transport (respx) — and the router choosing only models that can
upscale."""

import io

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFilter

from aiproviders import router
from aiproviders.adapters import ProviderConfig, ProviderError
from aiproviders.adapters.base import UpscaleRequest
from aiproviders.adapters.local import LocalAdapter
from aiproviders.adapters.replicate import ReplicateAdapter
from aiproviders.models import AIModel
from aiproviders.seed import MODELS
from modo import crypto

from . import stubs

KEY = "r8-upscale-SECRET-31c4"
ESRGAN = next(m[1] for m in MODELS if m[3] == "image" and m[5].get("cap_upscale") and m[0] == "Replicate")


def picture(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    """A drawing with hard edges (so sharpening shows), in `fmt`."""
    image = Image.new(mode, (width, height), (240, 240, 235, 255) if mode == "RGBA" else (240, 240, 235))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 8):
        draw.rectangle([i, height // 4, i + 3, 3 * height // 4], fill=(20, 30, 90, 255) if mode == "RGBA" else (20, 30, 90))
    if mode == "RGBA":
        draw.rectangle([0, 0, width // 2, height // 8], fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def local(scale: int, data: bytes):
    return LocalAdapter(ProviderConfig(kind="local")).upscale_image("local-upscale", UpscaleRequest(image=data, scale=scale))


@pytest.mark.parametrize("scale", [2, 4])
def test_the_offline_upscale_multiplies_each_side(scale):
    """An opaque image comes back as a JPEG (quality 95, no chroma subsampling), whatever it was."""
    for fmt in ("PNG", "JPEG", "WEBP"):
        result = local(scale, picture(40, 24, fmt))
        with Image.open(io.BytesIO(result.data)) as image:
            assert (image.format, image.size) == ("JPEG", (40 * scale, 24 * scale)), fmt
        assert (result.mime, result.width, result.height) == ("image/jpeg", 40 * scale, 24 * scale)


def test_the_offline_upscale_is_a_lanczos_resample_with_a_mild_unsharp_mask():
    """Not a plain resize (the mask sharpens edges: more contrast across them), not a made-up
    picture (within a few levels of the plain Lanczos resample on average)."""
    source = picture(64, 64)
    plain = Image.open(io.BytesIO(source)).convert("RGB").resize((128, 128), Image.Resampling.LANCZOS)
    ours = Image.open(io.BytesIO(local(2, source).data)).convert("RGB")

    def edge_energy(image):
        edges = image.convert("L").filter(ImageFilter.FIND_EDGES)
        return sum(edges.tobytes())

    assert edge_energy(ours) > edge_energy(plain) * 1.02
    diff = [abs(a - b) for a, b in zip(ours.convert("L").tobytes(), plain.convert("L").tobytes(), strict=True)]
    assert sum(diff) / len(diff) < 8


def test_transparency_survives_the_offline_upscale():
    result = local(2, picture(32, 32, mode="RGBA"))
    with Image.open(io.BytesIO(result.data)) as image:
        assert (image.format, image.mode, result.mime) == ("PNG", "RGBA", "image/png")
        assert image.getpixel((2, 2))[3] == 0 and image.getpixel((40, 40))[3] == 255


def test_an_output_over_the_upload_pixel_cap_is_refused_before_decoding(settings):
    settings.UPLOAD_MAX_PIXELS = 100 * 100
    with pytest.raises(ProviderError) as refused:
        local(4, picture(30, 30))  # 120 × 120 = 14,400 px
    assert (refused.value.permanent, refused.value.code) == (True, "too_large")
    assert local(2, picture(50, 50)).width == 100  # exactly the cap is allowed


@pytest.mark.parametrize("data,scale,code", [(b"not an image", 2, "bad_image"), (picture(8, 8), 3, "bad_request")],
                         ids=["unreadable", "scale-3"])
def test_bad_input_is_a_permanent_error(data, scale, code):
    with pytest.raises(ProviderError) as refused:
        local(scale, data)
    assert (refused.value.permanent, refused.value.code) == (True, code)


def test_other_adapters_say_they_cannot_upscale():
    from aiproviders.adapters.openai import OpenAIAdapter

    with pytest.raises(ProviderError) as refused:
        OpenAIAdapter(ProviderConfig(kind="openai", api_key="k")).upscale_image("gpt-image-1", UpscaleRequest(image=b"x"))
    assert refused.value.code == "unsupported"


# --- Replicate ----------------------------------------------------------------------------------

def test_the_seeded_real_esrgan_row_pins_a_version_and_the_offline_one_says_it_resamples(db):
    owner_name, _, version = ESRGAN.partition(":")
    assert owner_name == "nightmareai/real-esrgan" and len(version) == 64
    esrgan = AIModel.objects.get(model_id=ESRGAN)
    assert (esrgan.cap_upscale, esrgan.enabled, esrgan.provider.enabled) == (True, False, False)
    offline = AIModel.objects.get(model_id="local-upscale")
    assert offline.cap_upscale and offline.enabled and "resample" in offline.display_name.lower()


def test_replicate_upscales_with_the_pinned_version_and_downloads_the_output():
    adapter = ReplicateAdapter(ProviderConfig(kind="replicate", api_key=KEY, timeout=5, config={"poll_interval": 0}))
    source, bigger = stubs.png(8, 6), stubs.png(32, 24)
    with stubs.mock_http() as http:
        create = http.post("https://api.replicate.com/v1/predictions").respond(
            201, json=stubs.prediction("p-up", "starting"))
        poll = http.get("https://api.replicate.com/v1/predictions/p-up").respond(200, json=stubs.prediction(
            "p-up", "succeeded", output="https://replicate.delivery/xezq/up.png"))
        download = http.get("https://replicate.delivery/xezq/up.png").respond(200, content=bigger)
        result = adapter.upscale_image(ESRGAN, UpscaleRequest(image=source, scale=4))

    body = stubs.json_body(create.calls.last.request)
    assert body["version"] == ESRGAN.partition(":")[2]
    assert body["input"]["scale"] == 4 and body["input"]["image"].startswith("data:image/png;base64,")
    assert create.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    assert poll.call_count == 1 and "authorization" not in download.calls.last.request.headers
    assert (result.data, result.mime, result.width, result.height, result.request_id) == (bigger, "image/png", 32, 24, "p-up")


def test_a_failed_replicate_upscale_is_a_provider_error_without_the_key():
    adapter = ReplicateAdapter(ProviderConfig(kind="replicate", api_key=KEY, timeout=5, config={"poll_interval": 0}))
    with stubs.mock_http() as http:
        http.post("https://api.replicate.com/v1/predictions").respond(
            201, json=stubs.prediction("p-bad", "failed", error=f"CUDA out of memory (token {KEY})"))
        with pytest.raises(ProviderError) as failed:
            adapter.upscale_image(ESRGAN, UpscaleRequest(image=stubs.png(8, 8), scale=2))
    assert failed.value.code == "prediction_failed" and KEY not in failed.value.detail


@pytest.mark.django_db
def test_the_router_upscales_with_real_esrgan_once_enabled_and_falls_back_to_the_resample(settings):
    settings.AI_RETRY_BACKOFF_SECONDS = 0
    esrgan = AIModel.objects.select_related("provider").get(model_id=ESRGAN)
    esrgan.provider.api_key_encrypted = crypto.encrypt(KEY)
    esrgan.provider.enabled = True
    esrgan.provider.config = {"poll_interval": 0}
    esrgan.provider.save()
    AIModel.objects.filter(pk=esrgan.pk).update(enabled=True)
    call = lambda: router.Call(type="image", max_credits=5)  # noqa: E731
    with stubs.mock_http() as http:
        http.post("https://api.replicate.com/v1/predictions").respond(201, json=stubs.prediction(
            "p-ok", "succeeded", output="https://replicate.delivery/xezq/ok.png"))
        http.get("https://replicate.delivery/xezq/ok.png").respond(200, content=stubs.png(16, 16))
        result, used, log = router.upscale_image(call(), UpscaleRequest(image=stubs.png(8, 8), scale=2))
    assert (used.model_id, result.width, log.status) == (ESRGAN, 16, "ok")

    with stubs.mock_http() as http:
        http.post("https://api.replicate.com/v1/predictions").mock(return_value=httpx.Response(
            503, json=stubs.replicate_error(503, "busy")))
        result, used, _log = router.upscale_image(call(), UpscaleRequest(image=stubs.png(8, 8), scale=2))
    assert (used.model_id, result.width) == ("local-upscale", 16)  # never an image generator in its place
