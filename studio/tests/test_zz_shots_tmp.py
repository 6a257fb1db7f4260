import pytest
from accounts.tests.factories import UserFactory, log_in
from media import services as media_services
from media.tests.conftest import png
from studio import services
from studio.generate import voice, worker
from studio.targets import target_of
from .factories import give_plan, make_project
pytestmark = pytest.mark.browser

def test_shots(page, live_server, tmp_path, settings, celery_eager):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="laras@example.com")
    give_plan(user, "pro")
    project = make_project(user, characters=0, scenes=0)
    laras = services.character_create(project=project, name="Laras", role="protagonist")
    job = voice.character_line_request(user=user, character=laras, text="The lantern is dark again, Pak Darto.")
    worker.job_execute(job.pk)
    log_in(page, "laras@example.com")
    for width, name in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/studio/characters/{laras.public_id}/")
        el = page.wait_for_selector(f"#voice-{laras.public_id} select[name=voice]")
        page.locator(f"#voice-{laras.public_id}").screenshot(path=f"/tmp/voice/panel-{name}.png")
        print(page.evaluate("document.documentElement.scrollWidth"), width)
