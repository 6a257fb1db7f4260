"""Issue 20's seeded vendors: disabled until a superadmin pastes a key and enables them in the
admin; then the router's tier choice follows the seeded priorities (the brief's cheap defaults).
The identical-request cache: on for the fast text tier, switchable per model, never for media."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import UserFactory
from aiproviders import router, services
from aiproviders.adapters.base import TextRequest
from aiproviders.models import AIModel, Provider, UsageLog

from . import stubs

KEY = "vendor-key-0000SECRET"
NEW_VENDORS = ["ModelsLab", "Stability AI", "Google Vertex AI"]


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def switch_on(name: str, **extra) -> Provider:
    provider = services.provider_set_key(provider=Provider.objects.get(name=name), api_key=KEY)
    Provider.objects.filter(pk=provider.pk).update(enabled=True, **extra)
    services.provider_switch_on(provider=provider)
    return Provider.objects.get(pk=provider.pk)


def change_form(provider: Provider, **changes) -> dict:
    """The provider's admin change form as a browser would post it, inline model rows included."""
    data = {"name": provider.name, "kind": provider.kind, "new_api_key": "", "base_url": provider.base_url,
            "timeout_seconds": provider.timeout_seconds, "config": json.dumps(provider.config),
            "new_service_account": ""}
    if provider.enabled:
        data["enabled"] = "on"
    models = list(provider.models.order_by("type", "priority", "id"))
    data.update({"models-TOTAL_FORMS": len(models), "models-INITIAL_FORMS": len(models), "models-MIN_NUM_FORMS": 0,
                 "models-MAX_NUM_FORMS": 1000})
    for n, m in enumerate(models):
        row = {"id": m.pk, "provider": provider.pk, "display_name": m.display_name, "model_id": m.model_id,
               "type": m.type, "tier": m.tier, "priority": m.priority, "credit_cost": m.credit_cost or "",
               "est_cost_usd": m.est_cost_usd, "cost_unit": m.cost_unit, "cache_ttl_seconds": m.cache_ttl_seconds}
        if m.enabled:
            row["enabled"] = "on"
        if m.is_default:
            row["is_default"] = "on"
        data.update({f"models-{n}-{k}": v for k, v in row.items()})
    data.update(changes)
    return data


@pytest.mark.django_db
def test_every_named_vendor_is_seeded_disabled_and_the_offline_provider_stays_the_default():
    seeded = {(m.provider.name, m.model_id): m for m in AIModel.objects.select_related("provider")}
    for key in [("ModelsLab", "seedream-4.5"), ("ModelsLab", "seedream-4.5-i2i"), ("ModelsLab", "ltx-2-pro-i2v"),
                ("Stability AI", "core"), ("Stability AI", "stable-diffusion-xl-1024-v1-0"), ("Stability AI", "fast"),
                ("OpenAI", "dall-e-3"), ("OpenAI", "gpt-image-1"), ("Google Vertex AI", "imagen-3.0-generate-002"),
                ("Google", "gemini-3.5-flash"), ("OpenAI", "gpt-4o")]:
        assert key in seeded and not seeded[key].enabled and not seeded[key].provider.enabled
    assert seeded[("ModelsLab", "seedream-4.5-i2i")].cap_multi_reference
    assert seeded[("ModelsLab", "ltx-2-pro-i2v")].durations == [3, 5, 8]
    assert seeded[("Stability AI", "fast")].cap_upscale and not seeded[("Stability AI", "fast")].cap_t2i
    assert seeded[("OpenAI", "dall-e-3")].config["sizes"]["wide"] == "1792x1024"
    assert Provider.objects.get(name="Google Vertex AI").config == {"location": "us-central1"}
    for type_ in ("text", "image", "video"):
        assert router.default_model(type=type_).provider.kind == "local"
        assert router.default_model(type=type_, tier="fast").provider.kind == "local"


@pytest.mark.django_db
def test_the_fast_text_tier_picks_gemini_flash_once_google_has_a_key():
    assert router.default_model(type="text", tier="fast").provider.kind == "local"
    switch_on("Google")
    assert router.default_model(type="text", tier="fast").model_id == "gemini-3.5-flash"
    assert router.default_model(type="text").model_id == "gemini-3.5-flash"

    switch_on("OpenAI")
    switch_on("Anthropic")
    assert router.default_model(type="text", tier="fast").model_id == "gemini-3.5-flash"  # before GPT-4o mini
    assert router.default_model(type="text", tier="premium").model_id == "gpt-4o"  # before Claude

    route_url = "https://generativelanguage.googleapis.com/v1/models/gemini-3.5-flash:streamGenerateContent"
    with stubs.mock_http() as mock:
        route = mock.post(route_url).respond(200, text=stubs.gemini_stream(["Hi", " there"], usage=(3, 2)),
                                             headers=stubs.SSE_HEADERS)
        items = list(router.stream_text(router.Call(type="text", tier="fast"), TextRequest(prompt="Hello")))
    assert "".join(i for i in items if isinstance(i, str)) == "Hi there"
    assert route.calls.last.request.headers["x-goog-api-key"] == KEY


@pytest.mark.django_db
def test_image_and_video_tiers_follow_the_seeded_priorities():
    switch_on("Stability AI")
    assert router.default_model(type="image", tier="fast").model_id == "core"
    switch_on("OpenAI")
    assert router.default_model(type="image", tier="premium").model_id == "dall-e-3"

    switch_on("ModelsLab")
    assert router.default_model(type="image").model_id == "seedream-4.5"  # character sheets
    assert router.multi_reference_model(count=3).model_id == "seedream-4.5-i2i"  # moodboards, no grid
    assert router.multi_reference_model(count=5) is None  # more than it takes: one composited grid
    assert router.default_model(type="video").model_id == "ltx-2-pro-i2v"  # animation
    # Stability's upscaler first; the offline resample stays as the fallback.
    upscalers = [m.model_id for m in router.candidates(router.Call(type="image", capability="upscale"))]
    assert upscalers == ["fast", "local-upscale"]


@pytest.mark.django_db
def test_the_response_cache_is_on_for_the_fast_text_tier_only_and_answers_identical_requests(settings):
    cached = AIModel.objects.filter(cache_ttl_seconds__gt=0)
    assert cached.exists() and set(cached.values_list("type", "tier").distinct()) == {("text", "fast")}
    assert not AIModel.objects.filter(type="text", tier="premium", cache_ttl_seconds__gt=0).exists()

    switch_on("Google")
    url = "https://generativelanguage.googleapis.com/v1/models/gemini-3.5-flash:streamGenerateContent"
    with stubs.mock_http() as mock:
        route = mock.post(url).respond(200, text=stubs.gemini_stream(["Same ", "answer"], usage=(3, 2)),
                                       headers=stubs.SSE_HEADERS)
        first = list(router.stream_text(router.Call(type="text", tier="fast"), TextRequest(prompt="Cache me")))
        again = list(router.stream_text(router.Call(type="text", tier="fast"), TextRequest(prompt="Cache me")))
        other = list(router.stream_text(router.Call(type="text", tier="fast"), TextRequest(prompt="Something else")))
    assert route.call_count == 2  # the identical request was answered from the cache
    assert "".join(i for i in again if isinstance(i, str)) == "".join(i for i in first if isinstance(i, str))
    assert other
    assert list(UsageLog.objects.order_by("id").values_list("status", flat=True)) == ["ok", "cached", "ok"]


@pytest.mark.django_db
def test_images_and_videos_are_never_cached():
    model = AIModel.objects.get(model_id="seedream-4.5")
    model.cache_ttl_seconds = 3600
    with pytest.raises(ValidationError):
        model.full_clean()
    assert not router._caches(model)


@pytest.mark.django_db
def test_the_admin_refuses_to_enable_a_vendor_without_its_key(admin_client):
    provider = Provider.objects.get(name="ModelsLab")
    response = admin_client.post(reverse("admin:aiproviders_provider_change", args=[provider.pk]),
                                 change_form(provider, enabled="on"))
    assert response.status_code == 200 and "Paste the vendor" in response.content.decode()
    assert not Provider.objects.get(pk=provider.pk).enabled


@pytest.mark.django_db
def test_paste_key_then_enable_switches_the_vendor_and_its_models_on(admin_client):
    provider = Provider.objects.get(name="ModelsLab")
    url = reverse("admin:aiproviders_provider_change", args=[provider.pk])
    assert admin_client.post(url, change_form(provider, new_api_key=KEY)).status_code == 302  # step 1
    provider.refresh_from_db()
    assert provider.api_key() == KEY and not provider.enabled
    assert admin_client.post(url, change_form(provider, enabled="on")).status_code == 302  # step 2

    provider.refresh_from_db()
    assert provider.enabled
    assert set(provider.models.values_list("enabled", flat=True)) == {True}
    assert router.default_model(type="video").model_id == "ltx-2-pro-i2v"
    html = admin_client.get(url).content.decode()
    assert "https://status.modelslab.com" in html and KEY not in html


@pytest.mark.django_db
def test_a_service_account_is_stored_encrypted_and_never_shown(admin_client):
    provider = Provider.objects.get(name="Google Vertex AI")
    secret = json.dumps({"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----X"})
    url = reverse("admin:aiproviders_provider_change", args=[provider.pk])
    assert admin_client.post(url, change_form(provider, new_service_account="not json")).status_code == 200
    response = admin_client.post(url, change_form(provider, new_service_account=secret, enabled="on"))
    assert response.status_code == 302

    provider.refresh_from_db()
    assert provider.enabled and provider.credentials() == secret and secret not in provider.credentials_encrypted
    html = admin_client.get(url).content.decode()
    assert "BEGIN PRIVATE KEY" not in html and "https://status.cloud.google.com" in html


@pytest.mark.django_db
def test_model_rows_show_capabilities_and_cost_and_switch_the_cache(admin_client):
    html = admin_client.get(reverse("admin:aiproviders_aimodel_changelist")).content.decode()
    assert "multi-ref ×4" in html and "3/5/8 s" in html and "upscale" in html and "0.08 USD per image" in html

    ids = list(AIModel.objects.filter(model_id__in=["gpt-4o", "seedream-4.5"]).values_list("pk", flat=True))
    admin_client.post(reverse("admin:aiproviders_aimodel_changelist"), {"action": "cache_on", "_selected_action": ids})
    assert AIModel.objects.get(model_id="gpt-4o").cache_ttl_seconds == 3600
    assert AIModel.objects.get(model_id="seedream-4.5").cache_ttl_seconds == 0  # never an image model
    admin_client.post(reverse("admin:aiproviders_aimodel_changelist"), {"action": "cache_off", "_selected_action": ids})
    assert AIModel.objects.get(model_id="gpt-4o").cache_ttl_seconds == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url", "answer"), [
    ("ModelsLab", "https://modelslab.com/api/wallet_balance", {"status": "success", "data": {"balance": 5.5}}),
    ("Stability AI", "https://api.stability.ai/v1/user/balance", {"credits": 9.25}),
])
def test_test_connection_from_the_admin_for_the_new_vendors(admin_client, name, url, answer):
    provider = services.provider_set_key(provider=Provider.objects.get(name=name), api_key=KEY)
    method = "post" if "modelslab" in url else "get"
    with stubs.mock_http() as mock:
        route = getattr(mock, method)(url).respond(200, json=answer)
        admin_client.post(reverse("admin:aiproviders_provider_changelist"),
                          {"action": "test_connection", "_selected_action": [provider.pk]})
    provider.refresh_from_db()
    assert route.call_count == 1
    assert provider.last_check_ok is True and provider.last_check_message.startswith("OK")
    assert KEY not in provider.last_check_message


@pytest.mark.django_db
def test_the_router_upscales_with_the_seeded_stability_upscaler():
    from aiproviders.adapters.base import UpscaleRequest

    switch_on("Stability AI")
    bigger = stubs.png(32, 32)
    with stubs.mock_http() as mock:
        route = mock.post("https://api.stability.ai/v2beta/stable-image/upscale/fast").respond(
            200, content=bigger, headers={"content-type": "image/png"})
        result, model, usage = router.upscale_image(router.Call(type="image"), UpscaleRequest(image=stubs.png(8, 8)))
    assert route.call_count == 1 and model.model_id == "fast"
    assert (result.width, result.height, usage.status) == (32, 32, "ok")
