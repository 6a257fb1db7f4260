"""Video uploads (a lip-sync's face): decoded whole and re-encoded, or refused with a clear 413 /
422 before anything is stored; a stored video's shape and length; its pictures at a steady rate,
looped or cut."""

import io

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import bearer
from media import services, video
from media.models import MediaAsset

from .conftest import clip, png

pytestmark = pytest.mark.django_db

API = "/api/v1"


def streams(data: bytes) -> dict:
    """{"video"|"audio": seconds} of an MP4, and the container's metadata."""
    with av.open(io.BytesIO(data)) as container:
        found = {s.type: float(s.duration * s.time_base) for s in container.streams if s.duration}
        found["metadata"] = dict(container.metadata)
    return found


def cut(data: bytes, share: float) -> bytes:
    return data[: int(len(data) * share)]


def upload(client, user, project, data, name="face.mp4"):
    return client.post(
        f"{API}/assets", {"file": SimpleUploadedFile(name, data), "project": str(project.public_id)}, **bearer(user)
    )


def test_a_video_is_re_encoded_upright_with_its_sound_and_without_its_metadata():
    cleaned = video.clean(
        clip((96, 64), seconds=2.0, sound=True, rotation=90, metadata={"location": "+07.1-110.4/", "title": "secret"})
    )
    found = streams(cleaned.data)
    assert (cleaned.mime, cleaned.width, cleaned.height) == ("video/mp4", 64, 96)  # the phone's rotation applied
    assert abs(cleaned.duration - 2.0) < 0.1 and abs(found["video"] - 2.0) < 0.15 and abs(found["audio"] - 2.0) < 0.15
    assert "location" not in found["metadata"] and "title" not in found["metadata"]
    assert video.inspect(cleaned.data) == video.VideoInfo(width=64, height=96, duration=pytest.approx(2.0, abs=0.1))


def test_a_large_video_is_kept_at_most_1280_wide_and_30_pictures_a_second():
    cleaned = video.clean(clip((1600, 900), seconds=0.5, rate=50))
    with av.open(io.BytesIO(cleaned.data)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height, round(float(stream.average_rate))) == (1280, 720, 30)


def test_a_webm_is_accepted_and_stored_as_mp4():
    cleaned = video.clean(clip(seconds=1.0, fmt="webm"))
    assert cleaned.data[4:8] == b"ftyp" and abs(cleaned.duration - 1.0) < 0.15


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: cut(clip(seconds=3.0), 0.7), "incomplete"),  # the index promises 3 s; the pictures stop early
        (lambda: clip(seconds=3.0, faststart=False)[:-400], "damaged"),  # the index at the end is cut off
        (lambda: b"\x00\x00\x00\x18ftypmp42" + bytes(3000), "damaged"),  # an MP4 header over nothing
        (lambda: png(), "could not be read"),  # a picture is not a video
        (lambda: clip(seconds=1.0, sound=True)[:-900], "damaged"),  # the sound cut short
    ],
)
def test_malformed_video_is_refused_with_a_clear_reason(make, words):
    with pytest.raises(video.VideoRejected) as refused:
        video.clean(make())
    assert refused.value.status == 422 and refused.value.code == "INVALID_VIDEO" and words in refused.value.message


def test_a_video_over_the_length_cap_is_refused(settings):
    settings.VIDEO_MAX_SECONDS = 2
    with pytest.raises(video.VideoRejected, match="too long: at most 2 seconds"):
        video.clean(clip(seconds=4.0))
    with pytest.raises(video.VideoRejected, match="too long"):
        video.inspect(clip(seconds=4.0))


def test_pictures_are_looped_when_the_video_is_shorter_and_cut_when_longer():
    data = clip((40, 30), seconds=1.0, rate=4)  # four pictures, a quarter second each
    colours = [image.getpixel((20, 15)) for image in video.frames_at(data, fps=8, count=20)]
    assert len(colours) == 20
    # each picture held two frames at 8 fps; after eight frames the video starts again
    assert colours[0] == colours[1] != colours[2] and colours[:8] == colours[8:16] and colours[16:20] == colours[:4]
    assert len(list(video.frames_at(data, fps=8, count=3))) == 3
    small = next(video.frames_at(clip((400, 300), seconds=0.5), fps=8, count=1, longest=100))
    assert small.size == (100, 75)


def test_the_upload_api_stores_a_video_and_refuses_a_broken_one(local_storage, client, user, project):
    response = upload(client, user, project, clip(seconds=1.5, sound=True), name="my face.mov")
    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert (asset.media_type, asset.mime, asset.source_type, asset.file_name) == ("video", "video/mp4", "uploaded", "my face.mp4")
    assert (asset.width, asset.height) == (96, 64) and abs(asset.duration - 1.5) < 0.1
    assert streams(services.asset_open(asset=asset))["audio"] > 1.3

    broken = upload(client, user, project, cut(clip(seconds=3.0), 0.7))
    assert (broken.status_code, broken.json()["error"]) == (422, "INVALID_VIDEO")
    assert MediaAsset.objects.count() == 1 and len(local_storage.keys()) == 1


def test_a_video_over_the_size_cap_is_refused_with_413_and_nothing_kept(local_storage, settings, client, user, project):
    settings.VIDEO_UPLOAD_MAX_BYTES = 2_000
    response = upload(client, user, project, clip(seconds=2.0))
    assert (response.status_code, response.json()["error"]) == (413, "FILE_TOO_LARGE")
    assert not MediaAsset.objects.exists() and not local_storage.keys()
