"""Work the client need not wait for: `after_response(fn)`.

During a request, `fn` runs when the response is closed — after its last byte was handed to the
server (Django's `request_finished`) — so the response goes out first. Anywhere else (a Celery
worker, a command, a shell) it runs at once. Within a request a failure is logged, not raised
(the response is already sent): only work whose loss is repaired elsewhere belongs here, such as
a job's queue message, which the sweeper sends again when a queued job does not start."""

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

log = logging.getLogger(__name__)
# A context variable, not a thread-local: under ASGI the view's thread sees the request's list.
_pending: ContextVar[list | None] = ContextVar("after_response", default=None)


def after_response(fn: Callable[[], object]) -> None:
    pending = _pending.get()
    if pending is None:
        fn()
    else:
        pending.append(fn)


def _started(**_kwargs) -> None:
    _pending.set([])


def _finished(**_kwargs) -> None:
    pending = _pending.get()
    _pending.set(None)
    for fn in pending or ():
        try:
            fn()
        except Exception:
            log.exception("work after the response failed")


def forget() -> None:
    """Leaves no request open in this context (tests: a streamed response never read to its end
    sends no request_finished)."""
    _pending.set(None)


def connect_signals() -> None:
    request_started.connect(_started, dispatch_uid="modo-after-response-start")
    request_finished.connect(_finished, dispatch_uid="modo-after-response-finish")
