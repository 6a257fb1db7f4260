"""The router over a real vendor adapter (OpenAI SDK), HTTP stubbed at the transport."""

import httpx
import pytest

from aiproviders import router, services
from aiproviders.adapters.base import ProviderError, TextRequest
from aiproviders.models import AIModel, Provider, UsageLog

from . import stubs

KEY = "sk-test-router-0000SECRET"
CHAT = "https://api.openai.com/v1/chat/completions"


@pytest.fixture
def openai_models(db):
    AIModel.objects.filter(type="text").update(enabled=False, is_default=False)
    provider = services.provider_set_key(provider=Provider.objects.create(name="OpenAI test", kind="openai"), api_key=KEY)
    first = AIModel.objects.create(provider=provider, model_id="gpt-4o-mini", display_name="mini", type="text",
                                   cap_streaming=True, priority=1, is_default=True)
    second = AIModel.objects.create(provider=provider, model_id="gpt-4o", display_name="4o", type="text",
                                    cap_streaming=True, priority=2)
    return first, second


def chat_route(mock):
    def respond(request):
        model = stubs.json_body(request)["model"]
        if model == "gpt-4o-mini":
            return httpx.Response(503, json=stubs.openai_error("overloaded", type="server_error"))
        return httpx.Response(200, text=stubs.openai_chat_stream(["Hi", " there"], usage=(7, 2)),
                              headers={"content-type": "text/event-stream"})

    return mock.post(CHAT).mock(side_effect=respond)


@pytest.mark.django_db
def test_503_from_the_first_model_falls_back_to_the_second(openai_models):
    first, second = openai_models
    with stubs.mock_http() as mock:
        route = chat_route(mock)
        items = list(router.stream_text(router.Call(type="text"), TextRequest(prompt="Hello")))

    assert "".join(i for i in items if isinstance(i, str)) == "Hi there"
    sent = [stubs.json_body(call.request)["model"] for call in route.calls]
    assert sent == ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o"]  # one retry, then the fallback
    assert all(call.request.headers["Authorization"] == f"Bearer {KEY}" for call in route.calls)
    rows = list(UsageLog.objects.order_by("id").values_list("model__model_id", "status", "error_class"))
    assert rows == [("gpt-4o-mini", "error", "http_503"), ("gpt-4o-mini", "error", "http_503"), ("gpt-4o", "ok", "")]
    assert all(KEY not in (r.error_message or "") for r in UsageLog.objects.all())


@pytest.mark.django_db
def test_401_stops_at_once_without_fallback(openai_models):
    with stubs.mock_http() as mock:
        route = mock.post(CHAT).mock(return_value=httpx.Response(401, json=stubs.openai_error("Incorrect API key provided: sk-test-***")))
        with pytest.raises(ProviderError) as exc:
            list(router.stream_text(router.Call(type="text"), TextRequest(prompt="Hello")))

    assert exc.value.permanent
    assert route.call_count == 1
    assert UsageLog.objects.count() == 1
    assert KEY not in exc.value.detail and KEY not in exc.value.user_message


@pytest.mark.django_db
def test_a_model_in_cooldown_is_not_called(openai_models):
    first, second = openai_models
    with stubs.mock_http() as mock:
        route = chat_route(mock)
        list(router.stream_text(router.Call(type="text"), TextRequest(prompt="one")))  # first fails twice → cooldown
        before = len(route.calls)
        list(router.stream_text(router.Call(type="text"), TextRequest(prompt="two")))

    assert [stubs.json_body(c.request)["model"] for c in list(route.calls)[before:]] == ["gpt-4o"]
