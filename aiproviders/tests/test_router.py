from decimal import Decimal

import pytest
from django.utils import timezone

from aiproviders import adapters, router
from aiproviders.adapters.base import ImageRequest, ProviderError, TextRequest, Usage, VideoRequest
from aiproviders.models import AIModel, Provider, UsageLog

from . import fakes


@pytest.fixture(autouse=True)
def fake_vendor(monkeypatch):
    monkeypatch.setitem(adapters.REGISTRY, "fake", fakes.FakeAdapter)
    fakes.SCRIPT.clear()
    fakes.CALLS.clear()


@pytest.fixture
def provider(db):
    return Provider.objects.create(name="Fake", kind="fake")


def make_model(provider, model_id, *, type="text", priority=10, credit_cost=None, **fields):
    caps = {"text": {"cap_streaming": True}, "image": {"cap_t2i": True, "cap_i2i": True}, "video": {"cap_i2v": True}}[type]
    return AIModel.objects.create(provider=provider, model_id=model_id, display_name=model_id, type=type,
                                  priority=priority, credit_cost=credit_cost, **{**caps, **fields})


@pytest.fixture
def two_text_models(provider):
    AIModel.objects.filter(type="text").update(enabled=False)  # the seeded offline model stays out of the way
    return make_model(provider, "first", priority=1, is_default=False), make_model(provider, "second", priority=2)


def text(call):
    return list(router.stream_text(call, TextRequest(prompt="Write a logline")))


@pytest.mark.django_db
def test_text_streams_chunks_then_usage_and_logs_it(two_text_models):
    first, _ = two_text_models

    items = text(router.Call(type="text", model=first, reference="job:1"))

    assert [i for i in items if isinstance(i, str)] == ["Hello from first. ", "Second chunk."]
    assert isinstance(items[-1], Usage)
    log = UsageLog.objects.get()
    assert (log.model, log.status, log.tokens_in, log.tokens_out, log.reference) == (first, "ok", 10, 5, "job:1")
    assert log.first_token_ms is not None


@pytest.mark.django_db
def test_a_503_retries_once_then_falls_back_to_the_next_model(two_text_models):
    first, second = two_text_models
    fakes.SCRIPT["first"] = ["503", "503"]

    items = text(router.Call(type="text", model=first))

    assert "Hello from second. " in items
    assert fakes.CALLS == ["first", "first", "second"]
    rows = list(UsageLog.objects.order_by("id").values_list("model__model_id", "attempt", "status"))
    assert rows == [("first", 1, "error"), ("first", 2, "error"), ("second", 3, "ok")]
    first.refresh_from_db()
    assert first.in_cooldown()


@pytest.mark.django_db
def test_one_transient_error_is_retried_on_the_same_model(two_text_models):
    first, _ = two_text_models
    fakes.SCRIPT["first"] = ["503", "ok"]

    text(router.Call(type="text", model=first))

    assert fakes.CALLS == ["first", "first"]
    assert UsageLog.objects.count() == 2
    first.refresh_from_db()
    assert not first.in_cooldown()


@pytest.mark.django_db
def test_401_is_permanent_and_never_falls_back(two_text_models):
    first, _ = two_text_models
    fakes.SCRIPT["first"] = ["401"]

    with pytest.raises(ProviderError) as exc:
        text(router.Call(type="text", model=first))

    assert exc.value.permanent
    assert fakes.CALLS == ["first"]
    assert UsageLog.objects.get().status == "error"


@pytest.mark.django_db
def test_models_in_cooldown_are_skipped(two_text_models):
    first, second = two_text_models
    AIModel.objects.filter(pk=first.pk).update(cooldown_until=timezone.now() + timezone.timedelta(minutes=1))

    text(router.Call(type="text", model=AIModel.objects.get(pk=first.pk)))

    assert fakes.CALLS == ["second"]


@pytest.mark.django_db
def test_fallback_never_costs_more_than_quoted(two_text_models):
    first, second = two_text_models
    AIModel.objects.filter(pk=second.pk).update(credit_cost=50)
    fakes.SCRIPT["first"] = ["503", "503"]

    with pytest.raises(ProviderError):
        text(router.Call(type="text", model=first, max_credits=router.quote(type="text", model=first)))

    assert "second" not in fakes.CALLS


@pytest.mark.django_db
def test_a_stream_cut_midway_is_logged_as_partial_and_not_retried(two_text_models):
    first, _ = two_text_models
    fakes.SCRIPT["first"] = ["cut"]
    received = []

    with pytest.raises(ProviderError):
        for item in router.stream_text(router.Call(type="text", model=first), TextRequest(prompt="x")):
            received.append(item)

    assert received == ["Hello from first. "]
    log = UsageLog.objects.get()
    assert log.status == "partial" and log.tokens_out > 0


@pytest.mark.django_db
def test_a_client_leaving_midway_still_records_usage(two_text_models):
    first, _ = two_text_models
    stream = router.stream_text(router.Call(type="text", model=first), TextRequest(prompt="x"))

    next(stream)
    stream.close()

    assert UsageLog.objects.get().status == "partial"


@pytest.mark.django_db
def test_identical_text_requests_hit_the_cache_when_the_model_enables_it(two_text_models):
    first, _ = two_text_models
    AIModel.objects.filter(pk=first.pk).update(cache_ttl_seconds=60)
    first.refresh_from_db()

    one = text(router.Call(type="text", model=first))
    two = text(router.Call(type="text", model=first))

    assert "".join(i for i in one if isinstance(i, str)) == "".join(i for i in two if isinstance(i, str))
    assert fakes.CALLS == ["first"]
    assert list(UsageLog.objects.order_by("id").values_list("status", flat=True)) == ["ok", "cached"]


@pytest.mark.django_db
def test_image_with_references_needs_an_i2i_capable_model(provider):
    AIModel.objects.filter(type="image").update(enabled=False)
    t2i_only = make_model(provider, "t2i-only", type="image", cap_i2i=False, priority=1)
    both = make_model(provider, "both", type="image", priority=2)

    result, used, log = router.generate_image(router.Call(type="image", model=t2i_only),
                                              ImageRequest(prompt="x", references=[b"ref"]))

    assert used == both and result.data.startswith(b"\x89PNG")
    assert log.request_id == "img-both"


@pytest.mark.django_db
def test_video_duration_must_be_one_the_model_offers(provider):
    AIModel.objects.filter(type="video").update(enabled=False)
    model = make_model(provider, "vid", type="video", durations=[5])

    with pytest.raises(ProviderError) as exc:
        router.start_video(router.Call(type="video", model=model), VideoRequest(image=b"x", duration=8))

    assert exc.value.permanent


@pytest.mark.django_db
def test_estimated_vendor_cost_is_recorded(two_text_models):
    first, _ = two_text_models
    AIModel.objects.filter(pk=first.pk).update(est_cost_usd=Decimal("0.002"), cost_unit="1k_tokens")
    first.refresh_from_db()

    text(router.Call(type="text", model=first))

    assert UsageLog.objects.get().est_cost_usd == Decimal("0.00003")  # 15 tokens × $0.002 / 1k


@pytest.mark.django_db
def test_no_model_available_is_a_clear_transient_error(provider):
    AIModel.objects.filter(type="video").update(enabled=False)

    with pytest.raises(ProviderError) as exc:
        router.start_video(router.Call(type="video"), VideoRequest(image=b"x"))

    assert not exc.value.permanent and exc.value.code == "no_model"


@pytest.mark.django_db
def test_quote_uses_the_models_cost_or_the_default_rule(two_text_models):
    first, second = two_text_models
    AIModel.objects.filter(pk=second.pk).update(credit_cost=12, tier="premium")

    assert router.quote(type="text", model=first) == 3
    assert router.quote(type="text", model=AIModel.objects.get(pk=second.pk)) == 12
    assert router.quote(type="image", params={}) == 5


@pytest.mark.django_db
def test_a_model_disabled_since_the_caller_read_it_is_not_tried(two_text_models):
    first, second = two_text_models  # `first` as the caller read it (from the catalog, say): enabled
    AIModel.objects.filter(pk=first.pk).update(enabled=False)

    text(router.Call(type="text", model=first))

    assert fakes.CALLS == ["second"]


@pytest.mark.django_db
def test_a_cooldown_begun_since_the_caller_read_the_model_is_respected(two_text_models):
    first, second = two_text_models
    AIModel.objects.filter(pk=first.pk).update(cooldown_until=timezone.now() + timezone.timedelta(minutes=1))

    text(router.Call(type="text", model=first))

    assert fakes.CALLS == ["second"]


@pytest.mark.django_db
def test_a_cooldown_reaches_the_catalog_and_the_next_call_reads_no_model_row(two_text_models,
                                                                               django_assert_num_queries):
    from modo import catalog

    first, second = two_text_models
    catalog.snapshot()  # this process's copy, read before the failures
    fakes.SCRIPT["first"] = ["503", "503"]
    text(router.Call(type="text", model=first))
    fakes.CALLS.clear()
    catalog.snapshot()  # reloaded once after the cooldown, as every process does within a second

    with django_assert_num_queries(0):
        chosen = router.candidates(router.Call(type="text", model=first))

    assert [m.model_id for m in chosen] == ["second"]


@pytest.mark.django_db
def test_a_model_switched_on_after_this_process_read_its_catalog_is_still_tried(two_text_models):
    from modo import catalog

    first, second = two_text_models
    AIModel.objects.filter(pk=first.pk).update(enabled=False)
    catalog.snapshot()  # read while it was off
    AIModel.objects.filter(pk=first.pk).update(enabled=True)  # on again: this process has not reloaded yet

    text(router.Call(type="text", model=first))

    assert fakes.CALLS == ["first"]
