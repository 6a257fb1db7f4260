"""axe-core finds no accessibility violation on the main pages, with every <details> open: at a
desktop's width in English and a phone's in Indonesian. axe is vendored (modo/tests/vendor/README.md), never fetched."""

from pathlib import Path

import pytest

from accounts.tests.factories import log_in
from modo.tests import tour

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


def _violations(page, path) -> list[str]:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    # A menu that has just opened fades in: measured mid-fade its colours are paler than they are.
    # (Spinners turn forever: only the animations that end are waited for.)
    page.wait_for_function("""() => document.getAnimations().every(
        a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)""")
    # Not add_script_tag: the page's CSP blocks an un-nonced inline script; evaluate runs outside it.
    page.evaluate(AXE.read_text())
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
            v.nodes.slice(0, 3).map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ') + ']' : '')).join(' | '));
    }""")
    return [f"{path}: {v}" for v in found]


def _tour(page, live_server, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies([{"name": "modo_language", "value": language, "url": live_server.url}])
    email, project = tour.demo_creator()
    found = []
    for path in tour.public_pages(project):
        found += _violations(page, path)
    log_in(page, email)
    for path in tour.app_pages(project):
        found += _violations(page, path)
    return found


def test_main_pages_have_no_axe_violations_on_a_desktop_in_english(page, live_server):
    found = _tour(page, live_server, 1280, "en")
    assert not found, "\n".join(found)


def test_main_pages_have_no_axe_violations_on_a_phone_in_indonesian(page, live_server):
    found = _tour(page, live_server, 390, "id")
    assert not found, "\n".join(found)


def test_admin_index_has_no_axe_violations(page, live_server):
    tour.admin_user()
    log_in(page, "root@example.com")
    found = _violations(page, "/admin/")
    assert not found, "\n".join(found)
