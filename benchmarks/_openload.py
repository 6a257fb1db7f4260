"""Figure 9: an open load — requests arrive at a fixed rate whatever the answers do (an
open-model generator, like Locust's constant-throughput users without their wait), stepped up
until the p95 passes 4× its idle value or errors appear. The knee is the highest step still
inside both. The same is done for the minimal view alone; the ratio of the two knees is the
figure (a busy machine lowers both).

A request's latency runs from its *scheduled* arrival to its answer, so a client that is late
(every sender thread busy) adds to the latency instead of hiding it (no coordinated omission).
Arrivals are a Poisson process (exponential gaps, seeded), as independent users make them."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _client import LoadClient
from _harness import say, stop, summary

P95_FACTOR = 4.0
STEP_S = 10.0
IDLE_RATE = 1.0
MAX_SENDERS = 64


# --- pure helpers (modo/tests/test_bench_helpers.py) ----------------------------------------------

def arrival_times(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """Offsets (s from the start) of a Poisson process of `rate` per second over `seconds`."""
    times, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return times
        times.append(t)


def mix_of(weights: dict[str, int], n: int, rng: random.Random) -> list[str]:
    """n request kinds drawn with the given weights."""
    names = list(weights)
    return rng.choices(names, [weights[k] for k in names], k=n)


def rate_steps(start: float, factor: float, top: float) -> list[float]:
    """start, start·factor, … up to top (geometric, one decimal)."""
    steps, rate = [], start
    while rate <= top + 1e-9:
        steps.append(round(rate, 1))
        rate *= factor
    return steps


def knee(steps: list[dict], idle_p95: float, factor: float = P95_FACTOR) -> float | None:
    """The highest offered rate of the steps (in order) before the first whose p95 is over
    factor × idle_p95 or that had errors; None if even the first step was over."""
    best = None
    for step in steps:
        if step["errors"] or step["p95"] > factor * idle_p95:
            break
        best = step["rate"]
    return best


# --- the runner ---------------------------------------------------------------------------------

def run_step(base_url: str, rate: float, seconds: float, send, weights: dict[str, int], seed: int,
             sample=None) -> dict:
    """One step: arrivals at `rate`/s for `seconds`, each `send(http, kind)` → (status, extra).
    `sample()` (optional) is called every 0.5 s meanwhile (the queue depth). Returns a summary."""
    rng = random.Random(seed)
    times = arrival_times(rate, seconds, rng)
    kinds = mix_of(weights, len(times), rng)
    results, lock = [], threading.Lock()
    http = LoadClient(base_url, timeout=30)

    def fire(scheduled: float, kind: str):
        try:
            status, extra = send(http, kind)
        except TimeoutError:
            status, extra = 0, None
        done = time.monotonic()
        with lock:
            results.append({"kind": kind, "ms": (done - scheduled) * 1000, "status": status, "extra": extra})

    samples = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=MAX_SENDERS) as pool:
        for offset, kind in zip(times, kinds, strict=True):
            while (wait := started + offset - time.monotonic()) > 0:
                if sample and (not samples or time.monotonic() - samples[-1][0] >= 0.5):
                    samples.append((time.monotonic(), sample()))
                stop.wait(min(wait, 0.05))
            if stop.is_set():
                break
            pool.submit(fire, started + offset, kind)
    elapsed = time.monotonic() - started
    ms = [r["ms"] for r in results]
    errors = sum(r["status"] == 0 or r["status"] >= 500 for r in results)
    return {"rate": rate, "sent": len(results), "achieved_per_s": round(len(results) / elapsed, 1),
            **summary(ms), "errors": errors, "5xx": sum(r["status"] >= 500 for r in results),
            "other_non_2xx": sum(300 <= r["status"] < 500 for r in results),
            "by_kind": {k: summary([r["ms"] for r in results if r["kind"] == k]) for k in weights},
            "queue_depth_max": max((d for _t, d in samples), default=None),
            "queue_depth_mean": round(sum(d for _t, d in samples) / len(samples), 1) if samples else None,
            "extras": [r["extra"] for r in results if r["extra"]]}


def stepped(base_url: str, send, weights: dict[str, int], rates: list[float], *, label: str, sample=None,
            after_step=None) -> dict:
    """A warm-up (2/s for 5 s, discarded: templates compiled, connections open), idle (1/s for
    20 s), then the steps until one is past the knee. after_step(step) may add to it."""
    say(f"9. open load ({label}): idle at {IDLE_RATE:g}/s, then {', '.join(f'{r:g}' for r in rates)} /s, "
        f"{STEP_S:g} s each")
    warm = run_step(base_url, IDLE_RATE * 2, STEP_S / 2, send, weights, seed=0, sample=sample)  # discarded
    if after_step:
        after_step(warm)
    idle = run_step(base_url, IDLE_RATE, STEP_S * 2, send, weights, seed=1, sample=sample)
    if after_step:
        after_step(idle)
    steps = []
    for n, rate in enumerate(rates):
        step = run_step(base_url, rate, STEP_S, send, weights, seed=100 + n, sample=sample)
        if after_step:
            after_step(step)
        steps.append(step)
        say(f"   {rate:g}/s: p50 {step['p50']:.0f} ms, p95 {step['p95']:.0f} ms, errors {step['errors']}, "
            f"queue max {step['queue_depth_max']}")
        if step["errors"] or step["p95"] > P95_FACTOR * idle["p95"] or stop.is_set():
            break
    found = knee(steps, idle["p95"])
    below = [s for s in steps if found is not None and s["rate"] <= found]
    return {"idle": idle, "steps": steps, "knee_per_s": found, "5xx_below_knee": sum(s["5xx"] for s in below),
            "p95_limit_ms": round(P95_FACTOR * idle["p95"], 1)}



# --- figure 9 ------------------------------------------------------------------------------------

MIX = {"page": 5, "api read": 3, "text draft": 1, "image job": 1}
MIXED_RATES = rate_steps(2, 1.5, 40)
MINIMAL_RATES = rate_steps(5, 1.5, 130)
JOB_WAIT_S = 20


def figure_openload(results, stack, token: str, small: dict, session: str, *, redis_url: str) -> None:
    import uuid

    import redis
    from _ratios import ratio

    from studio.generate import jobs
    from studio.models import Generation

    p, character = small["project"].public_id, small["characters"][0]
    pages = ["/dashboard/", "/studio/", f"/studio/{p}/", f"/studio/{p}/characters/", f"/studio/{p}/gallery/"]
    reads = ["/api/v1/me", "/api/v1/credits", "/api/v1/jobs", f"/api/v1/assets?project={p}"]
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"Cookie": f"sessionid={session}"}
    broker = redis.Redis.from_url(redis_url)

    def send(http, kind):
        if kind == "page":
            return http.get(random.choice(pages), headers=cookie).status_code, None
        if kind == "api read":
            return http.get(random.choice(reads), headers=bearer).status_code, None
        if kind == "text draft":
            body = {"project": str(p), "target_kind": "character", "target_id": str(character.public_id),
                    "field": "backstory", "prompt": f"open load {uuid.uuid4().hex[:8]}"}
            return http.post("/api/v1/generate/text", json=body, headers=bearer).status_code, None
        if kind == "minimal":
            return http.get("/_bench/minimal/", headers=cookie).status_code, None
        response = http.post("/api/v1/generate/character", json={"character": str(character.public_id)},
                             headers=bearer)
        return response.status_code, response.json()["data"]["id"] if response.status_code == 202 else None

    def image_jobs(step):
        """The step's image jobs: waited for (up to JOB_WAIT_S), then whatever is left is cancelled."""
        ids = step.pop("extras")
        deadline = time.monotonic() + JOB_WAIT_S
        while ids and time.monotonic() < deadline and Generation.objects.filter(
                public_id__in=ids, status__in=Generation.ACTIVE).exists():
            time.sleep(0.25)
        done = list(Generation.objects.filter(public_id__in=ids, finished_at__isnull=False, started_at__isnull=False))
        left = list(Generation.objects.filter(public_id__in=ids, status__in=Generation.ACTIVE)
                    .select_related("hold__account"))
        for job in left:
            jobs.job_cancel(job=job)
        broker.delete("image")
        step["image_jobs"] = {"sent": len(ids), "finished": len(done), "cancelled_after_wait": len(left),
                              "queued_to_started_ms": summary([(j.started_at - j.queued_at).total_seconds() * 1000
                                                               for j in done]),
                              "queued_to_finished_ms": summary([(j.finished_at - j.queued_at).total_seconds() * 1000
                                                                for j in done])}

    try:
        mixed = stepped(stack.base_url, send, MIX, MIXED_RATES, label="mixed traffic",
                        sample=lambda: broker.llen("image"), after_step=image_jobs)
        minimal = stepped(stack.base_url, send, {"minimal": 1}, MINIMAL_RATES, label="the minimal view")
    finally:
        broker.close()
    for step in minimal["steps"] + [minimal["idle"]]:
        step.pop("extras", None)
    knees = ratio(mixed["knee_per_s"] or 0, minimal["knee_per_s"] or 0)
    results.data["open_load"] = {"mix": MIX, "step_s": STEP_S, "p95_factor": P95_FACTOR, "mixed": mixed,
                                 "minimal": minimal, "knee_ratio": knees}
    results.add("9. open load knee, mixed traffic", mixed["knee_per_s"] or 0, "req/s")
    results.add("9. open load knee, minimal view", minimal["knee_per_s"] or 0, "req/s")
    results.add("9. knee mixed / minimal", knees if knees is not None else "n/a", "×")
    results.add("9. mixed idle p50 / p95", f"{mixed['idle']['p50']:.0f} / {mixed['idle']['p95']:.0f}", "ms")
    results.add("9. 5xx below the knee (mixed)", mixed["5xx_below_knee"], "", "0", mixed["5xx_below_knee"] == 0
                and mixed["knee_per_s"] is not None)
    at_knee = [s for s in mixed["steps"] if s["rate"] == mixed["knee_per_s"]]
    if at_knee:
        step = at_knee[0]
        jobs_at = step["image_jobs"]
        results.add("9. at the knee: image queue depth max / mean",
                    f"{step['queue_depth_max']} / {step['queue_depth_mean']}", "")
        results.add("9. at the knee: image job queued -> finished p50 / p95",
                    f"{jobs_at['queued_to_finished_ms'].get('p50', 0):.0f} / "
                    f"{jobs_at['queued_to_finished_ms'].get('p95', 0):.0f} ms "
                    f"({jobs_at['finished']}/{jobs_at['sent']} done)", "")
