"""Per-plan daily generation limits: a 24-hour sliding window per account.

In Redis (production, tests) the check-and-count is one Lua script, so concurrent requests
cannot overshoot. Without Redis (`make run`), a best-effort copy lives in the local cache.
Redis not answering is a typed refusal (ServiceUnavailable, 503 with Retry-After), never a 500:
a generation cannot be counted, so it is not started."""

import time
import uuid
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from redis.exceptions import RedisError

from modo.errors import ServiceUnavailable

WINDOW_SECONDS = 24 * 3600

# KEYS[1] = window key; ARGV = now (ms), window (ms), limit, member
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + ARGV[2] - ARGV[1]}
"""


@cache
def _redis(url: str):
    import redis

    # Short timeouts: a Redis that is down must answer "unavailable" at once, not hang the request.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


@cache
def _script(url: str):
    """The sliding window as a registered script: sent by its SHA (EVALSHA), loaded once."""
    return _redis(url).register_script(_SLIDING_WINDOW)


def _key(account_id) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'modo')}:rl:gen:{account_id}"


def consume(*, account_id, limit: int, window: int = WINDOW_SECONDS) -> int:
    """Counts one generation. Returns 0 when allowed, else the seconds until a slot frees up."""
    if limit <= 0:
        return window
    now_ms = int(time.time() * 1000)
    url = settings.RATE_LIMIT_REDIS_URL
    if url:
        try:
            allowed, wait_ms = _script(url)(keys=[_key(account_id)], args=[now_ms, window * 1000, limit, uuid.uuid4().hex])
        except RedisError as exc:
            raise ServiceUnavailable() from exc
        return 0 if allowed else max(1, -(-int(wait_ms) // 1000))
    stamps = [t for t in django_cache.get(_key(account_id), []) if t > now_ms - window * 1000]
    if len(stamps) >= limit:
        return max(1, -(-(stamps[0] + window * 1000 - now_ms) // 1000))
    django_cache.set(_key(account_id), [*stamps, now_ms], timeout=window)
    return 0


def used(*, account_id, window: int = WINDOW_SECONDS) -> int:
    """How many generations were counted in the window (for display)."""
    now_ms = int(time.time() * 1000)
    url = settings.RATE_LIMIT_REDIS_URL
    if url:
        return int(_redis(url).zcount(_key(account_id), now_ms - window * 1000, "+inf"))
    return len([t for t in django_cache.get(_key(account_id), []) if t > now_ms - window * 1000])


def reset(*, account_id) -> None:
    url = settings.RATE_LIMIT_REDIS_URL
    if url:
        _redis(url).delete(_key(account_id))
    else:
        django_cache.delete(_key(account_id))
