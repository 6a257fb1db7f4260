"""In Chromium against a live server: upscale an image from the project gallery's card menu (4×,
the job followed on the page, the before/after slider when it lands), and restyle an uploaded
photo as a plush toy, moving the before/after slider. Screenshots of the restyle page at 1280 and
390 px go to $RESTYLE_SHOTS when it is set."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from accounts.tests.factories import UserFactory, log_in
from media import services as media_services
from media.tests.conftest import png
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("RESTYLE_SHOTS", "")


def photo_bytes() -> bytes:
    """A small "photo": a sky, a sun and a figure, so a style has something to work on."""
    image = Image.new("RGB", (360, 480), (120, 170, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 330, 360, 480], fill=(70, 140, 70))
    draw.ellipse([250, 40, 320, 110], fill=(255, 220, 90))
    draw.ellipse([140, 150, 220, 230], fill=(230, 190, 160))
    draw.rectangle([150, 230, 210, 380], fill=(200, 60, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def creator(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    user = UserFactory(email="sekar@example.com")
    give_plan(user, "basic")
    return user


def shoot(page, name: str) -> None:
    """The page with its result, at 1280 and 390 px (when RESTYLE_SHOTS is set)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    url = page.url
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_selector("#result .job--succeeded [data-compare]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url)


def slider_moves(page, root: str) -> None:
    """Both pictures are loaded, and moving the range moves the cut."""
    compare = page.locator(f"{root} [data-compare]")
    compare.wait_for(timeout=30_000)
    for img in compare.locator("img").all():
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    compare.locator("[data-compare-range]").evaluate(
        "el => { el.value = 20; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert compare.get_attribute("data-compare-at") == "20"
    clip = compare.locator("[data-compare-before]").evaluate("el => getComputedStyle(el).clipPath")
    assert "80%" in clip


def test_upscale_an_image_from_the_gallery_and_compare(page, live_server, creator, celery_eager):
    project = make_project(creator, characters=1, scenes=0)
    source = media_services.asset_store(data=png(120, 90), mime="image/png", owner=creator, target=target_of(project),
                                        source_type="uploaded", file_name="harbour.png")
    log_in(page, "sekar@example.com")

    page.goto(f"/studio/{project.public_id}/gallery/")
    page.click(f"#pg-{source.public_id}-menu summary")
    page.click(f"#pg-{source.public_id}-menu >> text=Upscale")
    page.wait_for_selector("#upscale-form")
    assert "120 × 90" in page.inner_text(".animate-stage__caption")
    page.click("label[for=scale-4]")
    page.click("#upscale-submit")

    page.wait_for_selector("#result .job--succeeded", timeout=30_000)
    slider_moves(page, "#result")
    job = Generation.objects.get(kind="upscale")
    assert (job.output_asset.width, job.output_asset.height, job.cost_charged) == (480, 360, 5)
    assert job.output_asset.derived_from_id == source.pk
    shoot(page, "upscale")
    page.click("#result >> text=Open")
    page.wait_for_selector("#derived-from")
    assert "harbour.png" in page.inner_text("#derived-from")


def test_restyle_a_photo_and_see_the_before_after_slider(page, live_server, creator, celery_eager, tmp_path):
    project = make_project(creator, characters=1, scenes=0)
    log_in(page, "sekar@example.com")

    page.goto(f"/studio/{project.public_id}/")
    page.click(".project-nav >> text=Restyle")
    page.wait_for_selector("#restyle-form")
    photo = tmp_path / "me.jpg"
    photo.write_bytes(photo_bytes())
    page.set_input_files("#restyle-form input[type=file]", str(photo))
    page.click("label[for=style-plush]")
    page.click("label[for=size-small]")
    page.click("#restyle-submit")

    page.wait_for_selector("#result .job--succeeded", timeout=30_000)
    slider_moves(page, "#result")
    job = Generation.objects.select_related("output_asset__derived_from").get(kind="restyle")
    assert job.params["style"] == "plush" and job.cost_charged == 5
    assert job.output_asset.derived_from.file_name == "me.jpg"
    assert (job.output_asset.width, job.output_asset.height) == (512, 768)  # a portrait photo, small

    shoot(page, "restyle")
