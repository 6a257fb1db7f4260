"""Request latency per route, recorded cheaply: the middleware adds each request to its route's
counters for the current minute, summed in the process and sent to the cache every few seconds
(one pipelined round trip to Redis: a hash per minute), and a beat task (modo.tasks.flush_latency,
every minute) moves the finished minutes into RouteLatency rows, which the analytics page reads
(modo.analytics.latency_report).

Durations go into a fixed histogram (BOUNDS_MS), so p50/p95/p99 of any period come from summed
counts, never from stored samples. Without Redis (a fresh install on the local-memory cache) the
counters live in that cache, per process: good enough for a look, not for a fleet."""

import logging
import threading
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from .models import RouteLatency

log = logging.getLogger(__name__)

# Upper bounds of the histogram's buckets in milliseconds; the last bucket has none.
BOUNDS_MS = (10, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400)
BUCKETS = len(BOUNDS_MS) + 1
FIELDS = ("count", "errors", "total_ms", "max_ms", *(f"b{i}" for i in range(BUCKETS)))
KEEP_SECONDS = 6 * 3600  # a minute the flush never reached is dropped after this
INDEX_KEY = "latency:minutes"


def bucket_of(ms: float) -> int:
    for i, bound in enumerate(BOUNDS_MS):
        if ms <= bound:
            return i
    return len(BOUNDS_MS)


def _redis():
    """The cache's Redis client, or None when the cache is not Redis."""
    client = getattr(cache, "_cache", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


def _minute_key(minute: int) -> str:
    return cache.make_key(f"latency:{minute}")


# A process adds its requests up in memory and sends the sums to the cache at most every PUSH_S
# seconds (and at once when a new minute starts): one round trip per push, none on most requests
# (bench figure 2 times every request). What a process holds when it stops is lost: at most a
# few seconds of counts.
PUSH_S = 5.0
_pending: dict[tuple[int, str], dict] = {}
_pushed_at = 0.0
_pending_lock = threading.Lock()


def record(*, route: str, ms: float, error: bool, now: float | None = None) -> None:
    """Adds one request to its route's counters for the current minute."""
    now = now or time.time()
    minute = int(now // 60)
    with _pending_lock:
        row = _pending.setdefault((minute, route), dict.fromkeys(FIELDS, 0))
        row["count"] += 1
        row[f"b{bucket_of(ms)}"] += 1
        row["total_ms"] += ms
        row["errors"] += int(error)
        row["max_ms"] = max(row["max_ms"], ms)
        due = now - _pushed_at >= PUSH_S or any(m != minute for m, _route in _pending)
    if due:
        push(now=now)


def forget() -> None:
    """Drops this process's unsent counts (the tests, between two of them)."""
    global _pending
    with _pending_lock:
        _pending = {}


def push(*, now: float | None = None) -> None:
    """Sends this process's sums to the cache: one pipelined round trip to Redis (hashes per
    minute), or the local-memory cache without Redis."""
    global _pending, _pushed_at
    with _pending_lock:
        rows, _pending, _pushed_at = _pending, {}, now or time.time()
    if not rows:
        return
    redis = _redis()
    if redis is not None:
        pipe = redis.pipeline(transaction=False)
        for (minute, route), row in rows.items():
            key, max_key = _minute_key(minute), cache.make_key(f"latency:max:{minute}")
            for name, value in row.items():
                if name == "total_ms":
                    pipe.hincrbyfloat(key, f"{route}|total_ms", value)
                elif name != "max_ms" and value:
                    pipe.hincrby(key, f"{route}|{name}", value)
            # The slowest request of the minute per route: a sorted set keeps the greatest (GT).
            pipe.zadd(max_key, {route: row["max_ms"]}, gt=True)
            pipe.expire(key, KEEP_SECONDS)
            pipe.expire(max_key, KEEP_SECONDS)
            pipe.sadd(cache.make_key(INDEX_KEY), minute)
        pipe.execute()
        return
    for (minute, route), row in rows.items():
        counters = cache.get(f"latency:{minute}") or {}
        total = counters.setdefault(route, dict.fromkeys(FIELDS, 0))
        for name, value in row.items():
            total[name] = max(total[name], value) if name == "max_ms" else total[name] + value
        cache.set(f"latency:{minute}", counters, KEEP_SECONDS)
        minutes = cache.get(INDEX_KEY) or set()
        if minute not in minutes:
            cache.set(INDEX_KEY, minutes | {minute}, KEEP_SECONDS)


def _take(minute: int) -> dict[str, dict]:
    """The minute's counters by route, removed from the cache."""
    redis = _redis()
    if redis is None:
        counters = cache.get(f"latency:{minute}") or {}
        cache.delete(f"latency:{minute}")
        cache.set(INDEX_KEY, (cache.get(INDEX_KEY) or set()) - {minute}, KEEP_SECONDS)
        return counters
    pipe = redis.pipeline(transaction=True)
    pipe.hgetall(_minute_key(minute))
    pipe.zrange(cache.make_key(f"latency:max:{minute}"), 0, -1, withscores=True)
    pipe.delete(_minute_key(minute), cache.make_key(f"latency:max:{minute}"))
    pipe.srem(cache.make_key(INDEX_KEY), minute)
    raw, maxima, *_ = pipe.execute()
    counters: dict[str, dict] = {}
    for field, value in raw.items():
        route, _sep, name = field.decode().rpartition("|")
        counters.setdefault(route, dict.fromkeys(FIELDS, 0))[name] = float(value) if name == "total_ms" else int(value)
    for route, ms in maxima:
        counters.setdefault(route.decode(), dict.fromkeys(FIELDS, 0))["max_ms"] = ms
    return counters


def _pending_minutes() -> list[int]:
    redis = _redis()
    if redis is None:
        return sorted(cache.get(INDEX_KEY) or ())
    return sorted(int(m) for m in redis.smembers(cache.make_key(INDEX_KEY)))


def flush(*, now: float | None = None) -> int:
    """Moves every finished minute's counters into RouteLatency rows (adding to a row already
    there, so a minute flushed twice in parts still sums right). Returns the rows written."""
    push()  # this process's own counts (a worker's beat flush has none; tests and dev do)
    current = int((now or time.time()) // 60)
    written = 0
    for minute in _pending_minutes():
        if minute >= current:
            continue  # still being counted
        at = datetime.fromtimestamp(minute * 60, tz=UTC)
        for route, c in _take(minute).items():
            if not c["count"]:
                continue
            with transaction.atomic():
                row, created = RouteLatency.objects.select_for_update().get_or_create(
                    minute=at, route=route[:200], defaults={name: c[name] for name in FIELDS})
                if not created:
                    RouteLatency.objects.filter(pk=row.pk).update(
                        **{name: F(name) + c[name] for name in FIELDS if name != "max_ms"},
                        max_ms=max(row.max_ms, c["max_ms"]))
            written += 1
    return written


def route_of(request) -> str:
    """The resolved route's name (its view name), never the path: /studio/<uuid>/ is one route."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "(unresolved)"
    return match.view_name or match.route or "(unnamed)"


class LatencyMiddleware:
    """Times each request (first in MIDDLEWARE, so it sees the whole of it) and records it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        ms = (time.perf_counter() - start) * 1000
        try:
            record(route=route_of(request), ms=ms, error=response.status_code >= 500)
        except Exception:  # monitoring must never break a request
            log.warning("latency not recorded", exc_info=True)
        return response
