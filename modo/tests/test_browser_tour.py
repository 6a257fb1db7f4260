"""Every main page loads in Chromium without a console error or an uncaught page error.

With SCREENSHOTS=<dir> set, the tour also saves full-page screenshots at 1280 px and 390 px, in
English and Indonesian (for looking at, not for comparing)."""

import os
import re
from pathlib import Path

import pytest

from accounts.tests.factories import log_in
from modo.tests import tour

pytestmark = pytest.mark.browser


def _watch(page) -> list[str]:
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"{page.url}: console: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: page error: {exc}"))
    return problems


def _visit(page, paths, problems, shots=None, tag=""):
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        page.wait_for_load_state("networkidle")
        if shots:
            name = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "x", path.lower())
            name = re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "home"
            page.screenshot(path=str(shots / f"{tag}-{name[:60]}.png"), full_page=True)


def test_main_pages_have_no_console_errors(page, browser, live_server):
    email, project = tour.demo_creator()
    tour.admin_user()
    problems = _watch(page)
    _visit(page, tour.public_pages(project), problems)
    log_in(page, email)
    _visit(page, tour.app_pages(project), problems)
    page.context.clear_cookies()
    log_in(page, "root@example.com")
    _visit(page, ["/admin/", "/admin/accounts/user/"], problems)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=<dir> to take screenshots")
def test_screenshots(browser, live_server, transactional_db, seeded_defaults):
    shots = Path(os.environ["SCREENSHOTS"])
    shots.mkdir(parents=True, exist_ok=True)
    email, project = tour.demo_creator()
    only = os.environ.get("SCREENSHOT_PAGES")
    for width in (1280, 390):
        for lang in ("en", "id"):
            context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
            context.add_cookies([{"name": "modo_language", "value": lang, "url": live_server.url}])
            pg = context.new_page()
            public = [p for p in tour.public_pages(project) if not only or re.search(only, p)]
            _visit(pg, public, [], shots, f"{width}-{lang}")
            log_in(pg, email)
            app = [p for p in tour.app_pages(project) if not only or re.search(only, p)]
            _visit(pg, app, [], shots, f"{width}-{lang}")
            context.close()
