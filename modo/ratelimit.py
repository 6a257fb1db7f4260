"""A fixed-window counter in the cache (Redis in production) for simple per-IP limits."""

from django.core.cache import cache


def hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Counts one hit; False once `limit` hits were counted in the current window."""
    cache_key = f"rl:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit
