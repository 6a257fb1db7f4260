"""The bench's web settings: production's, plus one URL that exists only here (bench_urls).

Production never imports this module or benchmarks/: the minimal view below is unreachable there.
The stack (benchmarks/_stack.py) runs gunicorn and the worker with
DJANGO_SETTINGS_MODULE=bench_settings and benchmarks/ on PYTHONPATH."""

from pathlib import Path

from modo.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]  # noqa: F405
