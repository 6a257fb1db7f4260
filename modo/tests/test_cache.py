"""modo.cache: Django's Redis cache with one client per connection pool."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import caches

from modo.cache import RedisCache

pytestmark = pytest.mark.requires_redis


@pytest.fixture
def redis_cache(settings):
    return RedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "modo-test-cache-client"})


def test_every_call_reuses_one_client(redis_cache):
    first = redis_cache._cache.get_client(write=True)

    redis_cache.set("k", {"n": 1}, 30)

    assert redis_cache._cache.get_client() is first
    assert redis_cache.get("k") == {"n": 1}
    assert redis_cache.delete("k") and redis_cache.get("k") is None


def test_threads_share_the_client_and_see_each_others_writes(redis_cache):
    def write_then_read(n):
        redis_cache.set(f"t{n}", n, 30)
        return redis_cache.get(f"t{n}")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(write_then_read, range(40))) == list(range(40))
    redis_cache.delete_many([f"t{n}" for n in range(40)])


def test_the_configured_cache_is_this_backend():
    assert isinstance(caches["default"], RedisCache)
