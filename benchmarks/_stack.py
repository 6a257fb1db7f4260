"""The stack under test: gunicorn (modo.wsgi, one worker per core) and a Celery worker, both on
production settings, pointed at the scratch database, a dedicated Redis database and a temporary
MEDIA_ROOT. Started by `Stack.start()`, stopped by `Stack.stop()` (always: run.py calls it in a
`finally`). Only the processes started here are ever signalled, by their own process groups."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    task_dir = Path(f"/proc/{pid}/task")
    for task in task_dir.glob("*") if task_dir.exists() else []:
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def proc_status(pid: int, field: str) -> int:
    """A VmRSS / VmHWM line of /proc/<pid>/status, in bytes (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def proc_pss(pid: int) -> int:
    """The process's proportional set size in bytes: its private pages plus its share of the
    pages it shares (a prefork pool's children share the code they imported before the fork)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Stack:
    def __init__(self, *, database_url: str, redis_url: str, encryption_keys: list[str], log_dir: Path,
                 static_root: Path, workers: int | None = None, worker: bool = True,
                 cache_prefix: str = "modo-bench"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers or os.cpu_count() or 1
        self.media_root = Path(tempfile.mkdtemp(prefix="modo-bench-files-"))
        self.log_dir = log_dir
        self.static_root = static_root
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "TEST_DATABASE_NAME")},
            # Production settings plus the bench's minimal view (benchmarks/bench_settings.py).
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": cache_prefix,  # a second stack (the scale set's) must not read this one's cache
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": ",".join(encryption_keys),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base_url,
            # Plain HTTP on loopback: no TLS in front, so no redirect to https and no HSTS.
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "MEDIA_ROOT": str(self.media_root),
            "STATIC_ROOT": str(static_root),
            "STORAGE_BACKEND": "local",
            # The load submits hundreds of jobs for one creator faster than they run.
            "GENERATION_MAX_ACTIVE": "100000",
            "LOG_LEVEL": "WARNING",
            "SENTRY_DSN": "",
            "PYTHONUNBUFFERED": "1",
            # This checkout's code, whatever the current directory, and bench_settings / bench_urls.
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "benchmarks")]),
        }
        self.with_worker = worker  # False: gunicorn only (the scale set's pages need no worker)
        self.processes: dict[str, subprocess.Popen] = {}
        self._logs = []
        self.access_log = log_dir / ("access.log" if worker else f"access-{self.port}.log")

    # --- lifecycle ---------------------------------------------------------------------------------

    def collectstatic(self) -> None:
        """Production serves hashed static files from a manifest (whitenoise): build it once."""
        if (self.static_root / "staticfiles.json").exists():
            return
        subprocess.run([str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env=self.env, check=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{self._log_name(name)}.log", "wb")  # noqa: SIM115 — closed in stop()
        self._logs.append(log)
        # A process group of its own: stop() signals exactly this group, and a Ctrl-C in the
        # terminal reaches only the runner, which then stops it in order.
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def start(self, timeout: float = 60) -> None:
        self.collectstatic()
        self._spawn("gunicorn", [str(VENV_BIN / "gunicorn"), "modo.wsgi", "--bind", f"127.0.0.1:{self.port}",
                                 "--workers", str(self.workers), "--log-level", "warning", "--timeout", "60",
                                 # As the Procfile logs each request; here with the server's own time (µs).
                                 "--access-logfile", str(self.access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"])
        if not self.with_worker:
            self._wait_for_health(time.monotonic() + timeout)
            return
        self._spawn("celery", [str(VENV_BIN / "celery"), "-A", "modo", "worker", "-Q", "default,image,video",
                               "--concurrency", str(self.workers), "--loglevel", "WARNING", "--without-gossip",
                               "--without-mingle", "--without-heartbeat", "-n", f"bench-{self.port}@%h"])
        deadline = time.monotonic() + timeout
        self._wait_for_health(deadline)
        self._wait_for_worker(deadline)

    def _log_name(self, name: str) -> str:
        return name if self.with_worker else f"{name}-{self.port}"

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.log_dir / f"{self._log_name(name)}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log}")

    def _wait_for_health(self, deadline: float) -> None:
        while True:
            self._check_alive()
            try:
                response = httpx.get(self.base_url + "/healthz", timeout=2)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise RuntimeError(f"/healthz did not answer 200 in time: {last}")
            time.sleep(0.2)

    def _wait_for_worker(self, deadline: float) -> None:
        """Until the worker answers a ping over the broker (it is then consuming its queues)."""
        app = self.control_app()
        try:
            while not app.control.ping(timeout=0.5, destination=[self.worker_name]):
                self._check_alive()
                if time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not answer a ping in time")
        finally:
            app.close()

    @property
    def worker_name(self) -> str:
        return f"bench-{self.port}@{socket.gethostname()}"

    def control_app(self):
        from celery import Celery

        return Celery("modo-bench-control", broker=self.env["REDIS_URL"])

    def stop(self) -> None:
        for name in ("gunicorn", "celery"):  # web first: no new jobs while the worker winds down
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            # SIGTERM to the main process: gunicorn and Celery stop their own workers gracefully.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:  # whatever is left of that group (our own: start_new_session made it)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)
        for log in self._logs:
            log.close()
        shutil.rmtree(self.media_root, ignore_errors=True)

    # --- measurements ------------------------------------------------------------------------------

    def web_worker_pids(self) -> list[int]:
        return children(self.processes["gunicorn"].pid)

    def server_times_ms(self, method: str, path: str, *, after_line: int = 0) -> list[float]:
        """The server's own time for each `method path` request in the access log (from line
        `after_line` on): from the request parsed to the response written, in milliseconds."""
        lines = self.access_log.read_text().splitlines()[after_line:] if self.access_log.exists() else []
        return [int(line.split()[3]) / 1000 for line in lines if line.split()[:2] == [method, path]]

    def access_log_lines(self) -> int:
        return len(self.access_log.read_text().splitlines()) if self.access_log.exists() else 0

    def celery_pids(self) -> list[int]:
        main = self.processes["celery"].pid
        return [main, *children(main)]
