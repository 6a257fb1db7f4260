"""The bench's harness: percentiles and summaries, the results table, sign-in, and the load
clients (one thread per simulated user, bounded in requests and in time)."""

import math
import random
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _client import LoadClient

LOAD_TIME_LIMIT_S = 120
stop = threading.Event()  # set on Ctrl-C / SIGTERM: every client stops at its next request


# --- small helpers ----------------------------------------------------------------------------------

def pct(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(values) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(pct(values, 0.5), 2), "p95": round(pct(values, 0.95), 2),
            "max": round(max(values), 2), "mean": round(statistics.fmean(values), 2)}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Results:
    def __init__(self):
        self.rows: list[dict] = []
        self.data: dict = {}

    def add(self, figure: str, value, unit: str, budget: str = "", ok: bool | None = None):
        self.rows.append({"figure": figure, "value": value, "unit": unit, "budget": budget,
                          "result": "" if ok is None else ("pass" if ok else "FAIL")})

    def table(self) -> str:
        shown = []
        for row in self.rows:
            value = row["value"]
            text = f"{value:,.1f}" if isinstance(value, float) else str(value)
            shown.append((row["figure"], f"{text} {row['unit']}".strip(), row["budget"], row["result"]))
        widths = [max(len(r[i]) for r in [("figure", "value", "budget", "result"), *shown]) for i in range(3)]
        line = "-" * (sum(widths) + 12)
        lines = [f"{'figure':<{widths[0]}}  {'value':>{widths[1]}}  {'budget':<{widths[2]}}  result", line]
        lines += [f"{f:<{widths[0]}}  {v:>{widths[1]}}  {b:<{widths[2]}}  {r}" for f, v, b, r in shown]
        failed = [r["figure"] for r in self.rows if r["result"] == "FAIL"]
        lines += [line, f"{sum(r['result'] == 'pass' for r in self.rows)} within budget, {len(failed)} over"
                  + (": " + "; ".join(failed) if failed else "")]
        return "\n".join(lines)


# --- HTTP clients ------------------------------------------------------------------------------------

def http_client(base_url: str, **headers):
    import httpx

    # Sync gunicorn workers close the connection after each response: a fresh TCP connection per
    # request, as behind a proxy that does the same.
    return httpx.Client(base_url=base_url, timeout=30, headers=headers, follow_redirects=False)


def login(base_url: str, email: str, password: str) -> str:
    """Signs in through the login form (CSRF and all); returns the session cookie's value. The
    cookies are Secure (production settings) and the loopback is plain HTTP, so they are carried
    by hand instead of by the cookie jar."""
    with http_client(base_url) as client:
        page = client.get("/auth/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post("/accounts/login/", data={"login": email, "password": password,
                                                         "csrfmiddlewaretoken": token},
                               headers={"Cookie": f"csrftoken={page.cookies['csrftoken']}"})
        if response.status_code != 302 or "sessionid" not in response.cookies:
            raise RuntimeError(f"login of {email} failed: {response.status_code} {response.text[:300]}")
        return response.cookies["sessionid"]


def run_clients(n_clients: int, plans: list[list], work, *, think: tuple[float, float] | None, base_url: str,
                time_limit: float = LOAD_TIME_LIMIT_S, client=LoadClient) -> tuple[list, float]:
    """`n_clients` threads; client i does `work(http, item)` for each item of plans[i], with a
    random think time between requests. Stops at the time limit. Returns (samples, seconds).
    `http` is a `client(base_url)`: the lean LoadClient (benchmarks/_client.py) unless a figure
    needs more (streaming)."""
    samples, lock = [], threading.Lock()
    deadline = time.monotonic() + time_limit

    def user(i):
        rng = random.Random(i)
        with client(base_url) as http:
            if think:  # clients do not all start in the same millisecond
                stop.wait(rng.uniform(0, think[1]))
            for item in plans[i]:
                if stop.is_set() or time.monotonic() > deadline:
                    return
                sample = work(http, item)
                with lock:
                    samples.append(sample)
                if think:
                    stop.wait(rng.uniform(*think))  # returns at once on Ctrl-C

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=n_clients) as pool:
        futures = [pool.submit(user, i) for i in range(n_clients)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    return samples, time.monotonic() - started
