"""The configuration rows every generation request reads — the credit costs, the plans, the
enabled AI models, the image presets — kept in each process and reloaded when they change.

A process reuses the rows it read while the version token in the shared cache is the one it
read them under. Saving or deleting any of those rows (signals, connected by `register`),
or a bulk change such as an admin action (`changed()`), sets a new token, so every process
reloads on its next read (read at most once a second: one cache read instead of three queries
per request, and a change is seen everywhere within about a second). A
snapshot older than MAX_AGE_S is reloaded anyway, which bounds how long a change made behind
Django's back (SQL by hand, a process-local cache in development) goes unseen.

What is here is for pricing, the plans' rules, choosing presets and the router's choice of
models (a model's cooldown, set after its retry failed, is a change like any other: every process
sees it within a second).

The rows belong to the apps above modo, so each app registers its part from its AppConfig.ready()
(`register("costs", loader, models=[CreditCost])`): credits the active credit costs (`costs`) and
the plans (`plans`), aiproviders the enabled models (`models`), studio the active image presets (`presets`). This
module only calls the loaders; a snapshot's parts are read as attributes (`snapshot().costs`)."""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

log = logging.getLogger(__name__)

KEY = "catalog:version"
MAX_AGE_S = 60
RECHECK_S = 1.0  # the token is read at most this often: a change reaches the other processes within it


@dataclass
class Snapshot:
    token: str
    loaded_at: float
    checked_at: float
    parts: dict[str, tuple]  # name -> the rows its loader returned (read as attributes)

    def __getattr__(self, name: str) -> tuple:
        try:
            return self.__dict__["parts"][name]
        except KeyError:
            raise AttributeError(f"the catalog has no part {name!r} (registered: {', '.join(_loaders)})") from None


_loaders: dict[str, Callable[[], tuple]] = {}
_current: Snapshot | None = None
_loading = threading.Lock()


def register(name: str, load: Callable[[], tuple], *, models: Iterable[type]) -> None:
    """Adds a part to every snapshot (call it from AppConfig.ready()): `load()` returns its rows,
    read as `snapshot().<name>`; saving or deleting a row of any of `models` reloads every process."""
    _loaders[name] = load
    for model in models:
        label = model._meta.label_lower
        post_save.connect(changed, sender=model, dispatch_uid=f"catalog-{label}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"catalog-{label}-delete")
    forget()


def _token() -> str:
    token = cache.get(KEY)
    if token is None:  # first use, or the cache was cleared: whoever adds first sets it
        cache.add(KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(KEY) or ""
    return token


def _load(token: str) -> Snapshot:
    return Snapshot(token=token, loaded_at=time.monotonic(), checked_at=time.monotonic(),
                    parts={name: tuple(load()) for name, load in _loaders.items()})


def snapshot() -> Snapshot:
    global _current
    current, now = _current, time.monotonic()
    if current is not None and now - current.checked_at < RECHECK_S:
        return current
    try:
        token = _token()
    except Exception:  # the cache is down: keep what this process has, until MAX_AGE_S
        log.warning("configuration catalog: the cache does not answer; using this process's copy", exc_info=True)
        token = current.token if current is not None else ""
    if current is None or current.token != token or now - current.loaded_at > MAX_AGE_S:
        with _loading:
            current = _current = _load(token)
    current.checked_at = now
    return current


def changed(**_signal) -> None:
    """This process reloads on its next read (it sees its own transaction's change); every other
    process once the change is committed — a new token set before the commit could be read by a
    process that then loads the old rows under it. (A change rolled back after this process
    reloaded stays in its snapshot until MAX_AGE_S.)"""
    forget()
    transaction.on_commit(_new_token)


def _new_token() -> None:
    forget()
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the change is saved; the others see it within MAX_AGE_S
        log.warning("configuration catalog: could not tell the other processes of a change", exc_info=True)


def forget() -> None:
    """This process reads the rows again on its next use (the tests call it after each test: a
    rolled-back transaction sends no signal)."""
    global _current
    _current = None
