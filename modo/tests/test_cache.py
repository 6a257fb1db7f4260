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


def test_clear_removes_this_caches_keys_and_no_one_elses(settings, redis_cache):
    import redis

    other = RedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "modo-test-cache-other"})
    starred = RedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "modo-test-cache-client*"})
    raw = redis.Redis.from_url(settings.TEST_REDIS_URL)
    try:
        redis_cache.set_many({f"mine{n}": n for n in range(2500)}, 30)  # more than one batch
        other.set("theirs", 1, 30)
        starred.set("glob", 1, 30)
        raw.set("modo-test-cache-broker-queue", b"job", ex=30)  # a key with no cache prefix at all

        assert redis_cache.clear() is True

        assert redis_cache.get_many([f"mine{n}" for n in range(2500)]) == {}
        assert other.get("theirs") == 1 and starred.get("glob") == 1
        assert raw.get("modo-test-cache-broker-queue") == b"job"
        redis_cache.set("survivor", 1, 30)
        assert starred.clear() and starred.get("glob") is None  # its "*" taken literally:
        assert redis_cache.get("survivor") == 1 and other.get("theirs") == 1
    finally:
        other.delete("theirs")
        redis_cache.delete("survivor")
        raw.delete("modo-test-cache-broker-queue")
        raw.close()
