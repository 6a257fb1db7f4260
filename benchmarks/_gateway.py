"""Figure 8: our text endpoint vs LiteLLM's proxy, same client, same connection policy, same
worker count, alternated rounds.

LiteLLM side: `litellm --config <yaml> --host 127.0.0.1 --port <free> --num_workers <cores>
--run_gunicorn` (gunicorn, uvicorn workers) from
its own virtualenv (var/bench/litellm-venv, benchmarks/_peers.py), with
LITELLM_LOCAL_MODEL_COST_MAP=True (the cost map from the package, no download), a master key
(LITELLM_MASTER_KEY: 1.108 refuses to start without one) and no database, one model `bench-mock` whose `mock_response` is a fixed paragraph: it answers
`POST /v1/chat/completions` without calling any provider.

Our side: `POST /api/v1/generate/text` (JSON answer) with a personal API token, writing a
character's backstory with the local provider — the offline adapter, which composes its text
at once from the bible (no sleep, no network): the instant fake text model."""

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from _harness import run_clients, say, summary
from _peers import LITELLM, PeerUnavailable, peer_python, version_of
from _ratios import median_rounds, ratio, within
from _stack import free_port

ROUNDS = 5
CLIENTS, REQUESTS = 8, 4  # per round and side: 32 samples
THINK_S = (1.0, 3.0)
MOCK_TEXT = ("Mira grew up by the harbour, mending nets for the fishermen who never came back. "
             "She keeps the brass compass her mother left her and means to find the lost lighthouse.")
CONFIG = """model_list:
  - model_name: bench-mock
    litellm_params:
      model: openai/bench-mock
      api_key: sk-bench-not-used
      mock_response: "{text}"
litellm_settings:
  telemetry: false
"""


class LiteLLMProxy:
    def __init__(self, *, workers: int, log_dir: Path):
        python = peer_python(LITELLM, say)
        self.version = version_of(python, "litellm")
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="modo-bench-litellm-"))
        config = self.dir / "config.yaml"
        config.write_text(CONFIG.format(text=MOCK_TEXT))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
        # A master key, as the proxy refuses to start without one: each request is then checked
        # against it (in memory: there is no database for virtual keys), as ours checks its token.
        self.master_key = "sk-bench-" + secrets.token_urlsafe(32)
        env.update(LITELLM_MASTER_KEY=self.master_key, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_LOG="ERROR", LITELLM_TELEMETRY="False",
                   DISABLE_ADMIN_UI="True")
        self.log = open(log_dir / "litellm.log", "wb")  # noqa: SIM115 — closed in stop()
        self.settings = {"workers": workers, "server": "gunicorn + uvicorn workers", "host": "127.0.0.1", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                         "model": "bench-mock (openai/…, mock_response)", "master_key": "set (LITELLM_MASTER_KEY)",
                         "database": None}
        self.process = subprocess.Popen(
            [str(python.parent / "litellm"), "--config", str(config), "--host", "127.0.0.1", "--port", str(self.port),
             # gunicorn with uvicorn workers: plain `--num_workers N` (uvicorn's own multiprocess
             # mode) loses its children at start-up in 1.108.5.
             "--num_workers", str(workers), "--run_gunicorn"], env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir,
            start_new_session=True)
        self._wait()

    def _wait(self, timeout: float = 240) -> None:  # it imports for 40 s and more on a busy machine
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PeerUnavailable(f"litellm exited with {self.process.returncode} (var/bench/logs/…/litellm.log)")
            try:
                if httpx.get(self.base_url + "/health/liveliness", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise PeerUnavailable(f"litellm did not answer in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def figure_gateway(results, stack, token: str, project, character, *, p50_max_x: float, p95_max_x: float) -> None:
    try:
        proxy = LiteLLMProxy(workers=stack.workers, log_dir=stack.log_dir)
    except PeerUnavailable as exc:
        say(f"8. LiteLLM is not measured: {exc}")
        results.add("8. gateway ours / LiteLLM p50", "not measured (see the log)", "", f"<= {p50_max_x:g}×", None)
        return
    say(f"8. gateway: ours vs LiteLLM {proxy.version} proxy, {ROUNDS} alternated rounds of {CLIENTS} clients × "
        f"{REQUESTS}, {THINK_S[0]:g}–{THINK_S[1]:g} s apart")
    ours_body = {"project": str(project.public_id), "target_kind": "character", "target_id": str(character.public_id),
                 "field": "backstory"}

    def ours(http, _item):
        body = {**ours_body, "prompt": f"bench gateway {uuid.uuid4().hex[:8]}"}  # never a cache hit
        started = time.perf_counter()
        response = http.post("/api/v1/generate/text", json=body, headers={"Authorization": f"Bearer {token}"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or not response.json()["data"]["text"]:
            raise RuntimeError(f"generate/text answered {response.status_code}: {response.text[:300]}")
        return elapsed

    def theirs(http, _item):
        body = {"model": "bench-mock", "messages": [{"role": "user", "content": f"bench {uuid.uuid4().hex[:8]}"}]}
        started = time.perf_counter()
        response = http.post("/v1/chat/completions", json=body,
                             headers={"Authorization": f"Bearer {proxy.master_key}"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or not response.json()["choices"][0]["message"]["content"]:
            raise RuntimeError(f"litellm answered {response.status_code}: {response.text[:300]}")
        return elapsed

    sides = {"ours": (ours, stack.base_url), "litellm": (theirs, proxy.base_url)}
    rounds = {name: [] for name in sides}
    try:
        for work, base_url in sides.values():  # warm-up: every worker of each side
            run_clients(4, [[None] * 3] * 4, work, think=None, base_url=base_url)
        for _ in range(ROUNDS):
            for name, (work, base_url) in sides.items():
                samples, _seconds = run_clients(CLIENTS, [[None] * REQUESTS] * CLIENTS, work, think=THINK_S,
                                                base_url=base_url)
                rounds[name].append(summary(samples))
    finally:
        proxy.stop()
    med = {name: {q: median_rounds(r, q) for q in ("p50", "p95")} for name, r in rounds.items()}
    p50_x, p95_x = ratio(med["ours"]["p50"], med["litellm"]["p50"]), ratio(med["ours"]["p95"], med["litellm"]["p95"])
    results.data["gateway"] = {"litellm": {"version": proxy.version, **proxy.settings}, "rounds": rounds,
                               "median_of_rounds": med, "ours_over_litellm": {"p50_x": p50_x, "p95_x": p95_x},
                               "clients": CLIENTS, "requests_per_client": REQUESTS, "think_s": THINK_S}
    results.add("8. gateway ours p50 / p95 (median of rounds)", f"{med['ours']['p50']:.1f} / {med['ours']['p95']:.1f}",
                "ms")
    results.add(f"8. LiteLLM {proxy.version} proxy p50 / p95", f"{med['litellm']['p50']:.1f} / "
                f"{med['litellm']['p95']:.1f}", "ms")
    results.add("8. gateway ours / LiteLLM, p50", p50_x, "×", f"<= {p50_max_x:g}×", within(p50_x, p50_max_x))
    results.add("8. gateway ours / LiteLLM, p95", p95_x, "×", f"<= {p95_max_x:g}×", within(p95_x, p95_max_x))
