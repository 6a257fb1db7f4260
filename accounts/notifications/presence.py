"""Whether a creator is looking at something right now ("on its page").

A page that shows a live thing (a job card polling every 2 s) marks the creator present for it;
the mark lapses a few seconds after the last poll. Whoever announces the thing's end asks first:
a creator watching the job card sees the result there and gets no notification; one who closed
the tab, or never opened the job's page, does."""

from django.core.cache import cache

# Three missed polls of a 2-second card: the tab is closed (or asleep).
PRESENCE_SECONDS = 8


def _key(user_id: int, subject: str) -> str:
    return f"notif:here:{user_id}:{subject}"


def presence_mark(*, user_id: int, subject: str) -> None:
    cache.set(_key(user_id, subject), 1, timeout=PRESENCE_SECONDS)


def presence_here(*, user_id: int, subject: str) -> bool:
    return bool(cache.get(_key(user_id, subject)))
