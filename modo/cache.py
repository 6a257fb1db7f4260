"""Django's Redis cache, with one client per connection pool instead of a new one per call.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` for every cache call; in redis-py 8
that constructor costs about 0.14 ms of Python (profiled: the shell summary's DELETE after each
ledger write spent half its time there), paid under the GIL by every thread of a process. A
`redis.Redis` is thread-safe and holds no connection of its own (its pool does, and the pool
reconnects after a fork), so one per pool serves the whole process."""

import hashlib
import json

from django.core.cache.backends import redis as django_redis


def digest(*parts) -> str:
    """SHA-256 of `parts` as JSON (anything JSON cannot hold, as its str): the version a cached
    fragment is kept under (what it shows), or a request's input compared on a retry."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


class _Client(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
