"""Downloads get readable names (what it shows, what it is, its date or length), safe beyond
ASCII; animations keep their source image's shape, never stretched."""

import io
from urllib.parse import quote

import av
import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from media import services as media_services
from media.tests.conftest import png
from studio import services
from studio.generate import jobs
from studio.models import Location
from studio.targets import target_of

from .factories import make_project

pytestmark = pytest.mark.django_db



@pytest.fixture
def project(creator):
    return make_project(creator, characters=1, scenes=0, locations=0)


def run(django_capture_on_commit_callbacks, request, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = request(**kwargs)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_message
    return job


def download(client, asset):
    response = client.get(reverse("media:file", args=[asset.public_id]), {"download": "1"})
    assert response.status_code == 200
    response.close()  # a streamed file: closing it ends the request (request_finished)
    return response["Content-Disposition"]


def test_a_character_image_downloads_as_name_sheet_date(client, creator, project, celery_eager,
                                                         django_capture_on_commit_callbacks):
    hero = project.characters.get()
    services.character_update(character=hero, name="Laras Wening")
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)
    client.force_login(creator)

    name = f"laras-wening-sheet-{timezone.localdate():%Y-%m-%d}.png"
    assert job.output_asset.file_name == name
    assert download(client, job.output_asset) == f'attachment; filename="{name}"'


def test_an_animation_downloads_as_name_animation_length(client, creator, project, celery_eager,
                                                          django_capture_on_commit_callbacks):
    market = Location.objects.create(project=project, name="Night Market")
    source = media_services.asset_store(data=png(160, 90), mime="image/png", owner=creator, target=target_of(market))
    job = run(django_capture_on_commit_callbacks, jobs.animation_request, user=creator, source=source, duration=3)
    client.force_login(creator)

    assert download(client, job.output_asset) == 'attachment; filename="night-market-animation-3s.mp4"'


def test_a_name_beyond_ascii_is_sent_with_filename_star(client, creator, project, celery_eager,
                                                         django_capture_on_commit_callbacks):
    hero = project.characters.get()
    services.character_update(character=hero, name="Sekar Ñandú 花")
    job = run(django_capture_on_commit_callbacks, jobs.character_image_request, user=creator, character=hero)
    client.force_login(creator)

    name = f"sekar-ñandú-花-sheet-{timezone.localdate():%Y-%m-%d}.png"
    assert job.output_asset.file_name == name
    assert download(client, job.output_asset) == f"attachment; filename*=utf-8''{quote(name)}"


def test_another_creators_download_is_a_404(client, outsider, creator, project):
    asset = media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(project))
    client.force_login(outsider)
    assert client.get(reverse("media:file", args=[asset.public_id]), {"download": "1"}).status_code == 404


# --- the shape of an animation ---------------------------------------------------------------------

@pytest.mark.parametrize(("source", "frame"), [((1600, 900), (1280, 720)), ((1024, 1024), (720, 720)),
                                                ((768, 1024), (720, 960)), ((600, 900), (720, 960)),
                                                ((720, 1280), (720, 1280)), (None, (1280, 720))])
def test_an_animation_takes_the_allowed_frame_nearest_its_source(source, frame):
    assert jobs.video_size(*(source or (None, None))) == frame


def first_frame(video: bytes) -> Image.Image:
    with av.open(io.BytesIO(video)) as container:
        return next(container.decode(video=0)).to_image()


def subject_box(frame: Image.Image) -> tuple[int, int]:
    """The width and height of the bright subject (a white disc drawn on a red card)."""
    mask = frame.convert("L").point(lambda v: 255 if v > 200 else 0)
    left, top, right, bottom = mask.getbbox()
    return right - left, bottom - top


def disc(width: int, height: int) -> bytes:
    """A red card with a white disc in the middle: stretched, the disc would turn into an oval."""
    from PIL import ImageDraw

    image = Image.new("RGB", (width, height), (200, 30, 30))
    r = min(width, height) // 4
    ImageDraw.Draw(image).ellipse((width // 2 - r, height // 2 - r, width // 2 + r, height // 2 + r), fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("size", "frame"), [((600, 900), (720, 960)), ((500, 500), (720, 720))])
def test_a_portrait_or_square_source_is_animated_without_stretching(creator, project, celery_eager,
                                                                    django_capture_on_commit_callbacks, size, frame):
    source = media_services.asset_store(data=disc(*size), mime="image/png", owner=creator,
                                        target=target_of(project.characters.get()))
    job = run(django_capture_on_commit_callbacks, jobs.animation_request, user=creator, source=source, duration=3,
              motion="zoom_in")
    video = job.output_asset

    assert (video.width, video.height) == frame or video.width is None  # the thumbnail task may not have run
    image = first_frame(media_services.asset_open(asset=video))
    assert image.size == frame
    width, height = subject_box(image)
    assert width == pytest.approx(height, rel=0.04)  # still a disc, not an oval
    if size[0] / size[1] != frame[0] / frame[1]:
        # A 2:3 picture in a 3:4 frame: dark bars left and right (pillarbox), the picture whole.
        left, right = image.getpixel((3, frame[1] // 2)), image.getpixel((frame[0] - 4, frame[1] // 2))
        assert max(left) < 40 and max(right) < 40
        middle = image.getpixel((frame[0] // 2, 8))
        assert middle[0] > 150 and middle[1] < 80  # the red card reaches the top: nothing cropped there
