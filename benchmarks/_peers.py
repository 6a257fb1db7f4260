"""The peers the bench measures beside us, each in a virtualenv of its own under var/bench/
(git-ignored; never a runtime dependency of the app): django-hordak (figure 1) and LiteLLM's
proxy (figure 8). Installed from PyPI at bench time, once: a marker file records what was
installed, and a later run with the same pins reuses the virtualenv."""

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"

HORDAK = {"name": "django-hordak", "venv": "hordak-venv",
          "requirements": ["django-hordak==2.0.0", "Django==5.2.19", "psycopg[binary]==3.3.9"]}
# 1.108.x as the issue asks; 1.108.10 and later pin proxy extras that PyPI no longer resolves.
LITELLM = {"name": "LiteLLM proxy", "venv": "litellm-venv", "requirements": ["litellm[proxy]==1.108.5"]}


class PeerUnavailable(RuntimeError):
    """The peer could not be installed (PyPI unreachable, a pin gone): the figure is skipped."""


def peer_python(spec: dict, say=print) -> Path:
    """The peer's virtualenv's python, creating and installing it first if needed."""
    home = VAR / spec["venv"]
    python = home / "bin" / "python"
    marker = home / ".bench-requirements"
    wanted = "\n".join(spec["requirements"])
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    say(f"installing {spec['name']} into {home.relative_to(ROOT)} from PyPI ({', '.join(spec['requirements'])})")
    if not python.exists():
        venv.create(home, with_pip=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           *spec["requirements"]], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise PeerUnavailable(f"{spec['name']} could not be installed from PyPI (offline, or the pin is gone?): "
                              f"{done.stderr.strip().splitlines()[-1:] or done.returncode}")
    marker.write_text(wanted)
    return python


def version_of(python: Path, distribution: str) -> str:
    done = subprocess.run([str(python), "-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
                           distribution], capture_output=True, text=True)
    return done.stdout.strip() or "?"


class Hordak:
    """django-hordak in its own process (benchmarks/peer_hordak.py), with its own scratch database."""

    def __init__(self, *, database: str, workers: int, say=print):
        python = peer_python(HORDAK, say)
        self.version = version_of(python, "django-hordak")
        self.process = subprocess.Popen(
            [str(python), str(ROOT / "benchmarks" / "peer_hordak.py"), "--database", database, "--workers",
             str(workers)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT / "benchmarks")
        ready = self.process.stdout.readline()
        if '"ready"' not in ready:
            self.close()
            raise PeerUnavailable(f"django-hordak did not start: {ready.strip() or self.process.returncode}")

    def round(self, ops: int) -> float:
        import json

        self.process.stdin.write(f"round {ops}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["rate"]

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


if __name__ == "__main__":  # install both peers ahead of a run: python benchmarks/_peers.py
    for spec in (HORDAK, LITELLM):
        print(spec["name"], peer_python(spec), file=sys.stderr)
