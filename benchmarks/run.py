"""`make bench`: the measured speed of MODO Creator Verse against a real stack on this machine.

    .venv/bin/python benchmarks/run.py [--ledger-ops 4000] [--pages dashboard,analytics] [--no-json]

A scratch PostgreSQL database is created, migrated and seeded (benchmarks/_seed.py; the scale
set in a copy of it, benchmarks/_scale.py); gunicorn and a Celery worker are started on
production settings plus the bench-only minimal view (benchmarks/bench_settings.py,
benchmarks/_stack.py); the peers run in virtualenvs of their own under var/bench/
(benchmarks/_peers.py: django-hordak, LiteLLM's proxy); the load comes from this process over
loopback (http.client, one thread per client, or arrivals at a fixed rate: benchmarks/_openload.py).
Every budget is a ratio measured in the same run.
Prints one table (figure, value, budget, pass/fail) and writes it as JSON to
var/bench/<timestamp>.json and var/bench/latest.json. What each figure measures, and how to read
them, is in benchmarks/README.md."""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
REDIS_URL = f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
DB_NAME = f"modo_bench_run_{os.getpid()}"
# In-process (seeding, query counts) the test settings run; they read REDIS_URL for their cache.
os.environ["REDIS_URL"] = REDIS_URL

from _harness import Results, http_client, login, run_clients, say, stop, summary  # noqa: E402
from _pages import count_queries, figure_pages, page_urls  # noqa: E402
from _ratios import ratio, within  # noqa: E402
from _scratch import scratch_database  # noqa: E402 — sets DJANGO_SETTINGS_MODULE first
from _speech import figure_lipsync, figure_speech  # noqa: E402

# --- budgets (issue 9) -----------------------------------------------------------------------------
LEDGER_MIN_RATIO = 0.50
HORDAK_MIN_RATIO = 1.5  # issue 23: ours / django-hordak, hold+capture pairs per second
LEDGER_WORKERS = 8
# Issue 23: times restated as ratios of the same run. Issue 15's 12 ms p50 / 25 ms p95 were set when
# the floor (GET /api/v1/me) answered in ~4 ms p50 / ~6 ms p95 on a quiet machine: the same
# allowance is 3× its p50 and 4× its p95, whatever the machine (benchmarks/README.md, figure 2).
GENERATE_OVER_ME_P50_X, GENERATE_OVER_ME_P95_X = 3.0, 4.0
DISPATCH_P50_MS = 50
STREAM_P95_MS = 50
ANIMATION_MAX_S = 5
UPSCALE_MAX_S = 2  # issue 19: a 1024² image made 4096² offline, within one job-card poll (README)
WORKER_PEAK_MB, WEB_RSS_MB = 500, 200

# --- load shape --------------------------------------------------------------------------------------
# A client is a simulated user: it waits THINK_S (uniform, seconds) between its requests, like a
# Locust user with `wait_time = between(1, 5)`. With no wait at all (a closed loop), N clients
# measure queueing rather than the request — latency = N / throughput (Little's law) — so that
# throughput is reported separately, as the capacity (no budget).
THINK_S = (1.0, 5.0)
GENERATE_CLIENTS, GENERATE_ROUNDS = 8, 16
DISPATCH_JOBS, DISPATCH_WARMUP = 25, 3
STREAM_CLIENTS, STREAM_REQUESTS = 2, 40
PAGE_CLIENTS, PAGE_ROUNDS, PAGE_TIMEOUT_S = 50, 2, 10
FIGURES = ("local", "ledger", "generate", "dispatch", "stream", "gateway", "pages", "scale", "openload", "animation", "memory",
           "upscale", "speech", "lipsync")
SCALE_MAX_RATIO = 1.3  # issue 23: a page's p50 on the scale set ÷ on the base set
GATEWAY_P50_X = GATEWAY_P95_X = 1.0  # issue 23: our p50 (p95) ≤ LiteLLM's p50 (p95)



# --- figure 1: ledger ------------------------------------------------------------------------------------

def figure_ledger(results: Results, ops: int) -> None:
    """Ours (hold+capture through credits/ledger.py), raw SQL and django-hordak (in its own
    process, virtualenv and scratch database: benchmarks/peer_hordak.py), alternated round by round."""
    import ledger
    from _peers import Hordak, PeerUnavailable

    say(f"1. ledger: {ops} hold+capture pairs, {LEDGER_WORKERS} workers, services vs raw SQL vs django-hordak")
    hordak = None
    try:
        hordak = Hordak(database=f"{DB_NAME}_hordak", workers=LEDGER_WORKERS, say=say)
    except PeerUnavailable as exc:
        say(f"1. django-hordak is not measured: {exc}")
    try:
        services_rate, raw_rate, peer = ledger.run(ops, workers=LEDGER_WORKERS,
                                                   peers={"hordak": hordak.round} if hordak else {})
    finally:
        if hordak:
            hordak.close()
    ratio = services_rate / raw_rate
    results.data["ledger"] = {"ops": ops, "workers": LEDGER_WORKERS, "services_per_s": round(services_rate, 1),
                              "raw_per_s": round(raw_rate, 1), "ratio": round(ratio, 3)}
    results.add("1. ledger services (hold+capture/s)", round(services_rate), "/s")
    results.add("1. ledger raw SQL baseline", round(raw_rate), "/s")
    results.add("1. ledger services / raw", f"{ratio:.1%}", "", f">= {LEDGER_MIN_RATIO:.0%}", ratio >= LEDGER_MIN_RATIO)
    if hordak is None:
        results.add("1. ledger ours / django-hordak", "not measured (see the log)", "", f">= {HORDAK_MIN_RATIO:g}", None)
        return
    versus = services_rate / peer["hordak"]
    results.data["ledger"].update(hordak_per_s=round(peer["hordak"], 1), ours_over_hordak=round(versus, 3),
                                  hordak={"version": hordak.version, "shape": "hold = 1 transfer (2 legs), capture "
                                          "= 1 transaction of 3 legs through a holding account"})
    results.add(f"1. ledger django-hordak {hordak.version} (hold+capture/s)", round(peer["hordak"]), "/s")
    results.add("1. ledger ours / django-hordak", round(versus, 2), "×", f">= {HORDAK_MIN_RATIO:g}×",
                versus >= HORDAK_MIN_RATIO)


# --- figure 2: generation request overhead -------------------------------------------------------------------

def figure_generate(results: Results, stack, token: str, character) -> None:
    """8 clients POST /api/v1/generate/character until the 202. The worker's image queue is paused
    meanwhile, so the measurement is the web path alone (and the queued jobs are cancelled after)."""
    from studio.generate import jobs
    from studio.models import Generation

    control = stack.control_app()
    control.control.cancel_consumer("image", destination=[stack.worker_name], reply=True, timeout=5)
    say(f"2. generation requests: {GENERATE_CLIENTS} clients × {GENERATE_ROUNDS}, {THINK_S[0]:g}–{THINK_S[1]:g} s apart")
    body = {"character": str(character.public_id)}
    headers = {"Authorization": f"Bearer {token}"}

    def work(http, _item):
        started = time.perf_counter()
        response = http.post("/api/v1/generate/character", json=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 202:
            raise RuntimeError(f"generate/character answered {response.status_code}: {response.text[:300]}")
        return elapsed

    run_clients(GENERATE_CLIENTS, [[None] * 2] * GENERATE_CLIENTS, work, think=None, base_url=stack.base_url)  # warm-up
    time.sleep(0.5)  # gunicorn writes its access log after the response
    log_from = stack.access_log_lines()
    samples, seconds = run_clients(GENERATE_CLIENTS, [[None] * GENERATE_ROUNDS] * GENERATE_CLIENTS, work,
                                   think=THINK_S, base_url=stack.base_url)
    time.sleep(0.5)
    server = summary(stack.server_times_ms("POST", "/api/v1/generate/character", after_line=log_from))
    stats = summary(samples)
    stats["server"] = server
    stats.update(clients=GENERATE_CLIENTS, think_s=THINK_S, seconds=round(seconds, 1),
                 rate_per_s=round(len(samples) / seconds, 1))
    # Baseline in the same run: the cheapest signed-in API call (token check, user, JSON), same clients.
    def me(http, _item):
        started = time.perf_counter()
        response = http.get("/api/v1/me", headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"/api/v1/me answered {response.status_code}: {response.text[:300]}")
        return (time.perf_counter() - started) * 1000

    baseline, _seconds = run_clients(GENERATE_CLIENTS, [[None] * GENERATE_ROUNDS] * GENERATE_CLIENTS, me,
                                     think=THINK_S, base_url=stack.base_url)
    stats["baseline_me"] = summary(baseline)
    # Capacity: the same 8 clients without waiting (a closed loop).
    closed, closed_seconds = run_clients(GENERATE_CLIENTS, [[None] * 12] * GENERATE_CLIENTS, work, think=None,
                                         base_url=stack.base_url)
    stats["closed_loop"] = {**summary(closed), "rate_per_s": round(len(closed) / closed_seconds, 1)}
    results.data["generate"] = stats
    results.add("2. generate/character 202, p50 / p95 (absolute)", f"{stats['p50']:.1f} / {stats['p95']:.1f}", "ms")
    results.add("2. generate, server's own time, p50", server.get("p50", 0), "ms")
    results.add("2. baseline GET /api/v1/me, p50 / p95", f"{stats['baseline_me']['p50']:.1f} / "
                f"{stats['baseline_me']['p95']:.1f}", "ms")
    stats["over_me_p50"] = ratio(stats["p50"], stats["baseline_me"]["p50"])
    stats["over_me_p95"] = ratio(stats["p95"], stats["baseline_me"]["p95"])
    results.add("2. generate ÷ GET /api/v1/me, p50", stats["over_me_p50"], "×", f"<= {GENERATE_OVER_ME_P50_X:g}×",
                within(stats["over_me_p50"], GENERATE_OVER_ME_P50_X))
    results.add("2. generate ÷ GET /api/v1/me, p95", stats["over_me_p95"], "×", f"<= {GENERATE_OVER_ME_P95_X:g}×",
                within(stats["over_me_p95"], GENERATE_OVER_ME_P95_X))
    results.add("2. generate capacity (8 clients, no wait)", stats["closed_loop"]["rate_per_s"], "req/s")

    # Nothing of that load may run on: cancel (and release) every queued job, drop their messages.
    for job in Generation.objects.filter(status=Generation.Status.QUEUED).select_related("hold__account"):
        jobs.job_cancel(job=job)
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete("image")
    client.close()
    control.control.add_consumer("image", destination=[stack.worker_name], reply=True, timeout=5)
    control.close()


# --- figure 3: dispatch latency -------------------------------------------------------------------------

def _wait_for_job(public_id: str, timeout: float = 30):
    from studio.models import Generation

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Generation.objects.filter(public_id=public_id).select_related("output_asset").first()
        if job and job.status not in Generation.ACTIVE:
            return job
        time.sleep(0.01)
    raise RuntimeError(f"job {public_id} did not finish in {timeout} s")


def figure_dispatch(results: Results, stack, token: str, character):
    """One job at a time (each waited for to its end): queued_at → started_at, with the worker idle."""
    say(f"3. dispatch: {DISPATCH_JOBS} jobs one at a time (+{DISPATCH_WARMUP} warm-up)")
    latencies, last = [], None
    with http_client(stack.base_url, Authorization=f"Bearer {token}") as http:
        for n in range(DISPATCH_WARMUP + DISPATCH_JOBS):
            response = http.post("/api/v1/generate/character", json={"character": str(character.public_id)})
            if response.status_code != 202:
                raise RuntimeError(f"generate/character answered {response.status_code}: {response.text[:300]}")
            job = _wait_for_job(response.json()["data"]["id"])
            if job.status != "succeeded":
                raise RuntimeError(f"bench job ended {job.status}: {job.error_code} {job.error_message}")
            if n >= DISPATCH_WARMUP:
                latencies.append((job.started_at - job.queued_at).total_seconds() * 1000)
            last = job
    stats = summary(latencies)
    results.data["dispatch"] = stats
    results.add("3. dispatch queued_at -> started_at, p50", stats["p50"], "ms", f"<= {DISPATCH_P50_MS} ms",
                stats["p50"] <= DISPATCH_P50_MS)
    return last


# --- figure 4: text streaming -----------------------------------------------------------------------------

def figure_stream(results: Results, stack, token: str, project, character) -> None:
    """Client: wall time the first `chunk` event arrived. Server: wall time the adapter yielded its
    first chunk, from the call's UsageLog row (created_at − latency_ms + first_token_ms)."""
    from aiproviders.models import UsageLog

    say(f"4. text streaming: {STREAM_CLIENTS} clients, {STREAM_REQUESTS} streams")
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}

    def work(http, n):
        body = {"project": str(project.public_id), "target_kind": "character", "target_id": str(character.public_id),
                "field": "backstory", "prompt": f"bench stream {n} {uuid.uuid4().hex[:6]}"}  # never a cache hit
        sent = time.time()
        first_byte = first_chunk = None
        buffer = b""
        with http.stream("POST", "/api/v1/generate/text", json=body, headers=headers) as response:
            if response.status_code != 200:
                raise RuntimeError(f"generate/text answered {response.status_code}: {response.read()[:300]}")
            for data in response.iter_raw():
                now = time.time()
                first_byte = first_byte or now
                buffer += data
                if first_chunk is None and b"event: chunk" in buffer:
                    first_chunk = now
        draft = json.loads(re.search(rb"event: start\ndata: (.*)\n", buffer).group(1))["draft"]
        return {"sent": sent, "first_byte": first_byte, "first_chunk": first_chunk, "reference": f"draft:{draft}",
                "done": b"event: done" in buffer}

    plans = [list(range(i, STREAM_REQUESTS, STREAM_CLIENTS)) for i in range(STREAM_CLIENTS)]
    # httpx here, for its streamed reads (this figure is some 50 times under its budget either way).
    run_clients(STREAM_CLIENTS, [p[:2] for p in plans], work, think=None, base_url=stack.base_url,
                client=http_client)  # warm-up
    samples, _seconds = run_clients(STREAM_CLIENTS, plans, work, think=None, base_url=stack.base_url,
                                    client=http_client)
    logs = {log.reference: log for log in UsageLog.objects.filter(reference__in=[s["reference"] for s in samples],
                                                                  status="ok")}
    deltas, server_first, client_first = [], [], []
    for sample in samples:
        log = logs.get(sample["reference"])
        if not sample["done"] or log is None or log.first_token_ms is None:
            raise RuntimeError(f"stream {sample['reference']} did not complete with a usage row")
        call_started = log.created_at.timestamp() - log.latency_ms / 1000
        adapter_first = call_started + log.first_token_ms / 1000
        deltas.append((sample["first_chunk"] - adapter_first) * 1000)
        server_first.append(log.first_token_ms)
        client_first.append((sample["first_chunk"] - sample["sent"]) * 1000)
    stats = summary(deltas)
    results.data["stream"] = {"adapter_first_chunk_to_client_ms": stats, "client_time_to_first_chunk_ms":
                              summary(client_first), "adapter_first_token_ms": summary(server_first),
                              "clients": STREAM_CLIENTS}
    results.add("4. stream: adapter 1st chunk -> client, p95", stats["p95"], "ms", f"<= {STREAM_P95_MS} ms",
                stats["p95"] <= STREAM_P95_MS)
    results.add("4. stream: request -> 1st chunk at client, p50", summary(client_first)["p50"], "ms")


def run_scale(results: Results, stack, small: dict, scale: dict, log_dir: Path) -> None:
    """Figure 7: a web-only stack on the scale database beside the main one, then the figure."""
    import _scalefig
    import _seed
    from _stack import Stack
    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{scale['name']}"
    scale_stack = Stack(database_url=url, redis_url=REDIS_URL, encryption_keys=settings.FIELD_ENCRYPTION_KEYS,
                        log_dir=log_dir, static_root=ROOT / "var" / "bench" / "static", worker=False,
                        cache_prefix="modo-bench-scale")
    try:
        scale_stack.start()
        stacks = {"base": stack, "scale": scale_stack}
        sessions = {side: {who: login(s.base_url, user.email, _seed.PASSWORD) for who, user in scale["users"].items()}
                    for side, s in stacks.items()}
        _scalefig.figure_scale(results, stacks, sessions, scale["urls"], scale["counts"], redis_url=REDIS_URL,
                               max_ratio=SCALE_MAX_RATIO, seeded=scale["seeded"])
    finally:
        scale_stack.stop()


# --- figure 6: local provider and memory -------------------------------------------------------------------

def figure_local(results: Results) -> None:
    """The offline adapter called directly, in this process (no router, no storage)."""
    from aiproviders.adapters.base import ImageRequest, ProviderConfig, VideoRequest
    from aiproviders.adapters.local import LocalAdapter

    say("6. local provider: 1024² t2i ×5, i2i ×5, one 5 s 720p animation")
    adapter = LocalAdapter(ProviderConfig(kind="local"))
    t2i, i2i = [], []
    image = None
    for n in range(6):
        started = time.perf_counter()
        image = adapter.generate_image("local-image", ImageRequest(
            prompt=f"A lighthouse keeper with a red scarf, take {n}", subject={"name": "Mira", "traits": ["red scarf"]}))
        if n:  # the first one loads fonts
            t2i.append(time.perf_counter() - started)
    for n in range(6):
        started = time.perf_counter()
        adapter.generate_image("local-image", ImageRequest(prompt="anime take", references=[image.data], style="anime",
                                                          strength=0.6 + n / 100))
        if n:
            i2i.append(time.perf_counter() - started)
    started = time.perf_counter()
    video = adapter.start_video("local-video", VideoRequest(image=image.data, prompt="", duration=5, motion="zoom_in",
                                                            width=1280, height=720))
    animation = time.perf_counter() - started
    results.data["local"] = {"t2i_s": summary(t2i), "i2i_s": summary(i2i), "animation_s": round(animation, 3),
                             "animation_bytes": len(video.data)}
    results.add("6. local 1024² t2i, median", round(statistics.median(t2i) * 1000, 1), "ms")
    results.add("6. local 1024² i2i, median", round(statistics.median(i2i) * 1000, 1), "ms")
    results.add("6. local 5 s 720p animation", round(animation, 2), "s", f"<= {ANIMATION_MAX_S} s",
                animation <= ANIMATION_MAX_S)


def figure_upscale(results: Results, runs: int = 3) -> None:
    """The offline upscale called directly, in this process: a 1024² PNG (the offline title card,
    a real picture with edges and gradients, not noise) made 4096² — decode, Lanczos, the unsharp
    mask and the PNG encode, i.e. what the worker does between reading the source and storing."""
    from aiproviders.adapters.base import ImageRequest, ProviderConfig, UpscaleRequest
    from aiproviders.adapters.local import LocalAdapter

    say(f"11. local upscale: 1024² → 4096² ×{runs}")
    adapter = LocalAdapter(ProviderConfig(kind="local"))
    source = adapter.generate_image("local-image", ImageRequest(
        prompt="A lighthouse keeper with a red scarf at dusk", width=1024, height=1024,
        subject={"name": "Mira", "traits": ["red scarf"]})).data
    times, out = [], None
    for _ in range(runs):
        started = time.perf_counter()
        out = adapter.upscale_image("local-upscale", UpscaleRequest(image=source, scale=4))
        times.append(time.perf_counter() - started)
    assert (out.width, out.height) == (4096, 4096)
    median = statistics.median(times)
    results.data["upscale"] = {"seconds": summary(times), "source_bytes": len(source), "output_bytes": len(out.data)}
    results.add("11. local upscale 1024² → 4096², median", round(median, 2), "s", f"<= {UPSCALE_MAX_S} s",
                median <= UPSCALE_MAX_S)


def figure_worker_animation(results: Results, stack, token: str, source_asset) -> None:
    """One animation through the worker (the heaviest job it runs), for its peak memory."""
    say("6. worker: a 5 s animation job through the queue")
    with http_client(stack.base_url, Authorization=f"Bearer {token}") as http:
        response = http.post("/api/v1/generate/animation", json={"source_asset": str(source_asset.public_id),
                                                                   "duration": 5, "motion": "zoom_in"})
        if response.status_code != 202:
            raise RuntimeError(f"generate/animation answered {response.status_code}: {response.text[:300]}")
        job = _wait_for_job(response.json()["data"]["id"], timeout=60)
    if job.status != "succeeded":
        raise RuntimeError(f"the animation job ended {job.status}: {job.error_message}")
    deadline = time.monotonic() + 30  # and its poster (the thumbnail task), which the worker makes next
    while not type(job.output_asset).objects.filter(pk=job.output_asset_id).exclude(thumbnail="").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the animation's poster was not made in 30 s")
        time.sleep(0.05)
    seconds = (job.finished_at - job.started_at).total_seconds()
    results.data["worker_animation_s"] = round(seconds, 2)
    results.add("6. animation job in the worker (start -> end)", round(seconds, 2), "s")


def figure_memory(results: Results, stack) -> None:
    """Peak RSS (VmHWM) of each worker process, the budget applying to the largest; their sum
    counts the pages the pool's children share with their parent once per process, so the total
    proportional size (PSS, now) is shown next to it. Web: VmRSS of each gunicorn worker now."""
    from _stack import proc_pss, proc_status

    pids = stack.celery_pids()
    celery = {pid: proc_status(pid, "VmHWM") for pid in pids}
    web = {pid: proc_status(pid, "VmRSS") for pid in stack.web_worker_pids()}
    mb = 2**20
    worker_peak, worker_sum = max(celery.values()) / mb, sum(celery.values()) / mb
    worker_pss = sum(proc_pss(pid) for pid in pids) / mb
    web_max = max(web.values()) / mb
    results.data["memory"] = {"celery_vmhwm_mb": {str(k): round(v / mb, 1) for k, v in celery.items()},
                              "celery_pss_now_mb": round(worker_pss, 1),
                              "web_vmrss_mb": {str(k): round(v / mb, 1) for k, v in web.items()}}
    results.add("6. worker peak RSS (largest process)", round(worker_peak, 1), "MB", f"<= {WORKER_PEAK_MB} MB",
                worker_peak <= WORKER_PEAK_MB)
    results.add("6. worker peak RSS, sum of its processes", round(worker_sum, 1), "MB")
    results.add("6. worker PSS now, sum of its processes", round(worker_pss, 1), "MB")
    results.add("6. web worker RSS after the pages (largest)", round(web_max, 1), "MB", f"<= {WEB_RSS_MB} MB",
                web_max <= WEB_RSS_MB)


# --- the run ----------------------------------------------------------------------------------------------

def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def _remove_temporary_media() -> None:
    """The in-process test settings made themselves a temporary MEDIA_ROOT; nothing is kept there."""
    from django.conf import settings

    media = Path(str(settings.MEDIA_ROOT))
    if media.name.startswith("modo-test-files-") and media.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(media, ignore_errors=True)


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _interrupted(signum, frame):
    """SIGTERM unwinds like Ctrl-C: the stack stops and the scratch database is dropped."""
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger-ops", type=int, default=4000)
    parser.add_argument("--pages", default="", help="comma-separated page names to load (default: all)")
    parser.add_argument("--only", default="", help=f"comma-separated figures to run (default: all): {', '.join(FIGURES)}")
    parser.add_argument("--no-json", action="store_true", help="print the table only")
    args = parser.parse_args()
    args.only = set(filter(None, args.only.split(","))) or set(FIGURES)
    if unknown := args.only - set(FIGURES):
        parser.error(f"unknown figures: {', '.join(sorted(unknown))} (choose from {', '.join(FIGURES)})")
    if "animation" in args.only:
        args.only.add("dispatch")  # the animation starts from the image the dispatch run made
    signal.signal(signal.SIGTERM, _interrupted)

    started = time.monotonic()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = ROOT / "var" / "bench"
    log_dir = out_dir / "logs" / stamp
    log_dir.mkdir(parents=True, exist_ok=True)
    results = Results()
    _flush_redis()
    try:
        with scratch_database(DB_NAME):
            run(results, args, log_dir)
    except Exception:
        if results.rows:  # what was measured before the failure is still worth reading
            print("\n" + results.table() + "\n(incomplete: the run failed, below)", file=sys.stderr)
        raise
    finally:
        _flush_redis()
        _remove_temporary_media()
    total = time.monotonic() - started
    results.data["meta"] = {"timestamp": stamp, "seconds": round(total, 1), "cpus": os.cpu_count(),
                            "python": platform.python_version(), "commit": _git_commit(),
                            "machine": platform.platform()}
    print()
    print(results.table())
    print(f"\ntotal {total:.0f} s; logs in {log_dir.relative_to(ROOT)}")
    if not args.no_json:
        payload = json.dumps({"rows": results.rows, **results.data}, indent=2, default=str)
        (out_dir / f"{stamp}.json").write_text(payload)
        (out_dir / "latest.json").write_text(payload)
        print(f"JSON: var/bench/{stamp}.json (and var/bench/latest.json)")


def settle_database(connection) -> None:
    """The seeding and the ledger figure wrote a few hundred thousand rows in a minute. Their
    after-work — autovacuum's passes over those tables, the checkpoint of their WAL — is done now,
    before the servers start, so that it does not land inside a timed figure (two cores here)."""
    say("settling the database (VACUUM ANALYZE, CHECKPOINT)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def run(results: Results, args, log_dir: Path) -> None:
    import _seed
    from django.conf import settings
    from django.db import connection

    from accounts.services import api_token_create

    only = args.only
    say(f"seeding the small set into {DB_NAME}")
    small = _seed.seed_small()
    _seed.fill_rollups()  # as the beat task keeps them (the analytics page reads them)
    if "pages" in only:
        small_urls = page_urls(small["project"])
        if args.pages:
            small_urls = {name: small_urls[name] for name in args.pages.split(",")}
        small_counts = count_queries({"creator": small["user"], "admin": small["admin"]}, small_urls)
        t = time.monotonic()
        say("seeding the large set")
        large = _seed.seed_large()
        _seed.fill_rollups()
        say(f"seeded in {time.monotonic() - t:.1f} s")
        urls = page_urls(large["project"])
        if args.pages:
            urls = {name: urls[name] for name in args.pages.split(",")}
        large_counts = count_queries({"creator": large["user"], "admin": small["admin"]}, urls)

    if "local" in only:
        figure_local(results)
    if "ledger" in only:
        figure_ledger(results, args.ledger_ops)
    if "upscale" in only:
        figure_upscale(results)
    if "speech" in only:
        figure_speech(results)
    if "lipsync" in only:
        figure_lipsync(results)
    if not only & {"generate", "dispatch", "stream", "gateway", "pages", "scale", "openload", "animation", "memory"}:
        return
    token = api_token_create(user=small["user"], name="bench").raw
    settle_database(connection)
    connection.close()  # the servers get the database to themselves (and it can be dropped after)

    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    scale = None
    if "scale" in only:
        import _scalefig

        scale = _scalefig.prepare(db, small, count_queries)
    try:
        run_stack(results, only, small, large if "pages" in only else None, token, database_url, log_dir,
                  urls if "pages" in only else None, (small_counts, large_counts) if "pages" in only else None, scale)
    finally:
        if scale:
            _scalefig.drop_scale_database(db, scale["name"])


def run_stack(results, only, small, large, token, database_url, log_dir, urls, counts, scale) -> None:
    import _seed
    from _stack import Stack
    from django.conf import settings
    from django.db import connection

    stack = Stack(database_url=database_url, redis_url=REDIS_URL, encryption_keys=settings.FIELD_ENCRYPTION_KEYS,
                  log_dir=log_dir, static_root=ROOT / "var" / "bench" / "static")
    say(f"starting gunicorn ({stack.workers} workers) and a Celery worker on {stack.base_url}")
    try:
        stack.start()
        character = small["characters"][0]
        if "generate" in only:
            figure_generate(results, stack, token, character)
        if "dispatch" in only:
            last_job = figure_dispatch(results, stack, token, character)
        if "stream" in only:
            figure_stream(results, stack, token, small["project"], character)
        if "gateway" in only:
            from _gateway import figure_gateway

            figure_gateway(results, stack, token, small["project"], character, p50_max_x=GATEWAY_P50_X,
                           p95_max_x=GATEWAY_P95_X)
        if "pages" in only:
            sessions = {"creator": login(stack.base_url, large["user"].email, _seed.PASSWORD),
                        "admin": login(stack.base_url, small["admin"].email, _seed.PASSWORD)}
            figure_pages(results, stack, sessions, urls, *counts)
            from _latencyshot import latency_chart

            latency_chart(results, stack, sessions["admin"], log_dir)
        if scale:
            run_scale(results, stack, small, scale, log_dir)
        if "openload" in only:
            from _openload import figure_openload

            figure_openload(results, stack, token, small, login(stack.base_url, small["user"].email, _seed.PASSWORD),
                            redis_url=REDIS_URL)
        if "animation" in only:
            figure_worker_animation(results, stack, token, last_job.output_asset)
        if "memory" in only:
            figure_memory(results, stack)
    finally:
        stop.set()
        say("stopping the stack")
        stack.stop()
        connection.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted: the stack was stopped and the scratch database dropped", file=sys.stderr)
        sys.exit(130)
