"""Django's Redis cache, with one client per connection pool instead of a new one per call.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` for every cache call; in redis-py 8
that constructor costs about 0.14 ms of Python (profiled: the shell summary's DELETE after each
ledger write spent half its time there), paid under the GIL by every thread of a process. A
`redis.Redis` is thread-safe and holds no connection of its own (its pool does, and the pool
reconnects after a fork), so one per pool serves the whole process.

`clear()` removes this cache's own keys (those under its KEY_PREFIX), where Django's flushes the
whole Redis database: with it the Celery broker's queues, another site's cache on the same
server, or a parallel test run's counters."""

import functools
import hashlib
import json
import re
from pathlib import Path

import django
from django.conf import settings
from django.core.cache.backends import redis as django_redis


def digest(*parts) -> str:
    """SHA-256 of `parts` as JSON (anything JSON cannot hold, as its str): a request's input
    compared on a retry, or (through fragment_version) what a cached fragment shows."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@functools.cache
def templates_digest() -> str:
    """A digest of the project's template files and Django's version, read once per process."""
    files = hashlib.sha256(django.get_version().encode())
    for root in (Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            files.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes())
    return files.hexdigest()


def fragment_version(*parts) -> str:
    """The version a cached fragment of a page is kept under: a digest of what it shows (`parts`)
    and of the templates that draw it, so a deploy that changes the markup never serves the
    fragments the old one cached (they expire unread)."""
    return digest(templates_digest(), *parts)


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

    def clear(self):
        client = self._cache.get_client(write=True)
        # Every key is "<prefix>:<version>:<key>" (Django's make_key); the prefix taken literally.
        pattern = re.sub(r"([\\*?\[\]])", r"\\\1", self.key_prefix) + ":*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 1000):
            client.unlink(*keys[start:start + 1000])
        return True
