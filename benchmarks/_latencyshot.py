"""After the figures: the admin analytics page's request-latency chart, with what this run's
requests recorded (issue 22: "the latency chart shows data after `make bench`"), as a screenshot
in the run's log folder.

The stack's beat is not running, so the flush the beat would do each minute (modo.tasks.flush_latency:
finished minutes from Redis into RouteLatency rows) is run once here, in the stack's environment.
The page is opened for the last 7 days, a period no figure loaded, so its cached report is not
one from before the run's last minutes."""

import shutil
import subprocess
from pathlib import Path

from _harness import say
from _stack import ROOT, VENV_BIN

FLUSH = "from modo.tasks import flush_latency; print(flush_latency())"


def latency_chart(results, stack, admin_session: str, log_dir: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    flushed = subprocess.run([str(VENV_BIN / "python"), "manage.py", "shell", "-c", FLUSH], cwd=ROOT, env=stack.env,
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    from playwright.sync_api import sync_playwright

    shot = log_dir / "latency-chart.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.context.add_cookies([{"name": "sessionid", "value": admin_session, "url": stack.base_url}])
            page.goto(f"{stack.base_url}/admin/analytics/?days=7")
            points = page.locator("#latency-chart circle").count()
            routes = page.locator("#slow-routes tbody tr").count()
            page.locator("section[aria-labelledby='h-latency']").screenshot(path=str(shot))
        finally:
            browser.close()
    say(f"latency chart: {flushed} route-minutes flushed, {points} points, {routes} slow routes → {shot.relative_to(ROOT)}")
    results.data["latency_chart"] = {"flushed": flushed, "points": points, "routes": routes,
                                     "screenshot": str(shot.relative_to(ROOT))}
    results.add("22. latency chart after the run (points, routes)", f"{points}, {routes}", "",
                f"screenshot {shot.relative_to(ROOT)}", points > 0 and routes > 0)
