"""The configuration catalog: a change saved in this process is priced at once; a change made
elsewhere is seen once the token is read again (at most every RECHECK_S) or the snapshot is older
than MAX_AGE_S; in between a reused snapshot costs no query and no cache read."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from aiproviders import router
from aiproviders.models import AIModel, Provider
from credits import pricing
from credits.exceptions import InvalidInput
from credits.models import CreditCost
from modo import catalog
from studio.generate import prompts
from studio.models import ImagePreset

pytestmark = pytest.mark.django_db


class Clock:
    """Stands in for the `time` module the catalog reads: time moves only when a test says so."""

    def __init__(self):
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


class CountingCache:
    """Django's cache, counting the reads the catalog makes."""

    def __init__(self):
        self.reads = 0

    def get(self, *args, **kwargs):
        self.reads += 1
        return cache.get(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(cache, name)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(catalog, "time", clock)
    return clock


@pytest.fixture
def cache_reads(monkeypatch):
    counting = CountingCache()
    monkeypatch.setattr(catalog, "cache", counting)
    return counting


def fast_text_price() -> int:
    return pricing.quote("text", params={"variant": "fast"})


def change_fast_text_price_behind_djangos_back(credits: int) -> None:
    """As another process (or SQL by hand) would: no signal reaches this process."""
    CreditCost.objects.filter(kind="text", variant="fast").update(credits=credits)


def test_a_saved_credit_cost_is_priced_at_once(seeded_defaults):
    assert fast_text_price() == 3
    assert router.quote(type="text", tier="fast") == 3

    cost = CreditCost.objects.get(kind="text", variant="fast")
    cost.credits = 4
    cost.save()

    assert fast_text_price() == 4
    assert router.quote(type="text", tier="fast") == 4


def test_a_deleted_credit_cost_is_no_longer_priced(seeded_defaults):
    assert pricing.quote("text", params={"variant": "premium"}) == 8

    CreditCost.objects.get(kind="text", variant="premium").delete()

    with pytest.raises(InvalidInput):
        pricing.quote("text", params={"variant": "premium"})


def test_disabling_the_default_model_in_the_admin_changes_the_price(admin_client, seeded_defaults):
    local = Provider.objects.get(kind=Provider.Kind.LOCAL)
    AIModel.objects.create(provider=local, model_id="local-image-hd", display_name="Offline HD", type="image",
                           tier="premium", cap_t2i=True, priority=1, credit_cost=9)
    default = AIModel.objects.get(model_id="local-image")
    assert router.quote(type="image") == 5  # the default model, priced by the t2i rule

    response = admin_client.post(reverse("admin:aiproviders_aimodel_changelist"),
                                 {"action": "disable", "_selected_action": [default.pk]})

    assert response.status_code == 302
    default.refresh_from_db()
    assert not default.enabled
    assert router.quote(type="image") == 9  # the next enabled image model, with its own cost


def test_a_disabled_provider_takes_its_models_out_of_the_catalog(seeded_defaults):
    local = Provider.objects.get(kind=Provider.Kind.LOCAL)
    assert {m.model_id for m in catalog.snapshot().models} == {"local-text", "local-image", "local-video", "local-speech",
                                                               "local-lipsync", "local-upscale"}

    local.enabled = False
    local.save()

    assert catalog.snapshot().models == ()


def test_a_deleted_or_deactivated_preset_is_no_longer_offered(seeded_defaults):
    assert "chibi" in [p.key for p in prompts.presets("style")]

    ImagePreset.objects.get(kind="style", key="chibi").delete()
    realistic = ImagePreset.objects.get(kind="style", key="realistic")
    realistic.is_active = False
    realistic.save()

    assert [p.key for p in prompts.presets("style")] == ["cartoon", "anime", "cinematic", "plush"]


def test_a_reused_snapshot_reads_neither_the_database_nor_the_cache(seeded_defaults, clock, cache_reads,
                                                                   django_assert_num_queries):
    first = catalog.snapshot()
    cache_reads.reads = 0
    change_fast_text_price_behind_djangos_back(4)
    cache.set(catalog.KEY, "other-token")  # another process committed a change

    clock.now += catalog.RECHECK_S / 2
    with django_assert_num_queries(0):
        assert catalog.snapshot() is first
        assert fast_text_price() == 3

    assert cache_reads.reads == 0


def test_another_process_change_is_seen_once_the_token_is_read_again(seeded_defaults, clock):
    assert fast_text_price() == 3
    change_fast_text_price_behind_djangos_back(4)
    cache.set(catalog.KEY, "other-token")

    clock.now += catalog.RECHECK_S + 0.01

    assert fast_text_price() == 4
    assert catalog.snapshot().token == "other-token"


def test_the_same_token_keeps_the_snapshot_until_max_age(seeded_defaults, clock, cache_reads,
                                                          django_assert_num_queries):
    first = catalog.snapshot()
    cache_reads.reads = 0
    change_fast_text_price_behind_djangos_back(4)

    clock.now += catalog.RECHECK_S + 0.01
    with django_assert_num_queries(0):
        assert catalog.snapshot() is first  # the token was read again, and is the same
    assert cache_reads.reads == 1

    clock.now = first.loaded_at + catalog.MAX_AGE_S + 0.01
    again = catalog.snapshot()

    assert again is not first and again.token == first.token
    assert fast_text_price() == 4


def test_a_cleared_cache_makes_a_new_token_and_a_reload(seeded_defaults, clock):
    first = catalog.snapshot()
    cache.delete(catalog.KEY)

    clock.now += catalog.RECHECK_S + 0.01
    again = catalog.snapshot()

    assert again is not first
    assert again.token == cache.get(catalog.KEY)
    assert again.token != first.token


def test_the_new_token_is_set_only_on_commit(seeded_defaults, django_capture_on_commit_callbacks):
    catalog.snapshot()
    before = cache.get(catalog.KEY)
    assert before

    with django_capture_on_commit_callbacks() as callbacks:
        cost = CreditCost.objects.get(kind="text", variant="fast")
        cost.credits = 4
        cost.save()
        assert fast_text_price() == 4  # this process sees its own change before the commit...
        assert cache.get(catalog.KEY) == before  # ...the others are not told yet

    assert cache.get(catalog.KEY) == before
    for callback in callbacks:
        callback()

    after = cache.get(catalog.KEY)
    assert after and after != before
    assert catalog.snapshot().token == after


class DownCache:
    """A cache that does not answer (Redis down)."""

    def get(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    def __getattr__(self, name):
        return self.get


def test_with_the_cache_down_prices_come_from_the_database_then_from_this_process(seeded_defaults, clock,
                                                                                    monkeypatch, caplog):
    monkeypatch.setattr(catalog, "cache", DownCache())

    assert fast_text_price() == 3  # loaded from the database, no token
    change_fast_text_price_behind_djangos_back(7)
    clock.now += catalog.RECHECK_S + 0.1
    assert fast_text_price() == 3  # this process's copy, until it is MAX_AGE_S old
    clock.now += catalog.MAX_AGE_S
    assert fast_text_price() == 7
    assert "cache does not answer" in caplog.text
