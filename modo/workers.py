"""Is a Celery worker alive for a queue? Each worker writes a heartbeat key per queue it consumes
into the cache every WORKER_HEARTBEAT_SECONDS (a thread started when the worker is ready, dying
with it); the key lives three beats. `/healthz/workers` reports them, and — where
GENERATION_REQUIRE_WORKERS is on (production) — a job whose queue has no live worker is refused
with a typed 503 instead of waiting for nobody with the creator's credits held."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _key(queue: str) -> str:
    return f"workers:alive:{queue}"


def heartbeat(queues) -> None:
    """Says "alive" for these queues, for three beats."""
    cache.set_many({_key(q): time.time() for q in queues}, timeout=3 * settings.WORKER_HEARTBEAT_SECONDS)


# A "yes" is kept in this process for a second: a worker that beat a second ago is as alive as
# the key that lives three beats says, and every generation request asks (bench figure 2).
# A "no" is never kept: a worker that just started is seen on the next request.
RECALL_S = 1.0
_seen_alive: dict[str, float] = {}


def alive(queue: str) -> bool:
    """True when a worker consuming `queue` beat recently. An unreachable cache answers False."""
    now = time.monotonic()
    if now - _seen_alive.get(queue, -RECALL_S) < RECALL_S:
        return True
    try:
        found = cache.get(_key(queue)) is not None
    except Exception:
        log.warning("could not read the workers' heartbeat", exc_info=True)
        return False
    if found:
        _seen_alive[queue] = now
    return found


def forget() -> None:
    """Asks the cache again on the next call (tests: a worker stopped between two of them)."""
    _seen_alive.clear()


def start_heartbeat(queues) -> threading.Thread:
    """Beats for these queues every WORKER_HEARTBEAT_SECONDS, in a daemon thread of the worker."""
    queues = sorted(queues)

    def run():
        while True:
            try:
                heartbeat(queues)
            except Exception:
                log.warning("could not write the worker's heartbeat", exc_info=True)
            time.sleep(settings.WORKER_HEARTBEAT_SECONDS)

    thread = threading.Thread(target=run, daemon=True, name="worker-heartbeat")
    thread.start()
    return thread
