"""The Celery app. Settings are read from Django settings with the CELERY_ prefix."""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modo.settings.local")

app = Celery("modo")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Slow video jobs must never starve quick image jobs or housekeeping: one queue each, so ops can
# give each its own workers (`celery -A modo worker -Q video`).
app.conf.task_queues = (Queue("default"), Queue("image"), Queue("video"))
app.autodiscover_tasks()


@signals.worker_ready.connect
def _beat_while_alive(sender, **kwargs):
    """A live worker says so for each queue it consumes (modo/workers.py)."""
    from . import workers

    workers.start_heartbeat(sender.app.amqp.queues.consume_from.keys())
