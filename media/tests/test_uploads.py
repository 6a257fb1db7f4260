"""Uploads through the API and the gallery: clean images are stored re-encoded; every bad input is
refused with the right status and leaves no file and no row behind."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import bearer
from media.models import MediaAsset

from .conftest import png

pytestmark = pytest.mark.django_db

API = "/api/v1"



def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPS info
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width=30_000, height=30_000) -> bytes:
    """A few hundred bytes that claim 900 megapixels."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


BAD_INPUTS = {
    "polyglot": (png() + b"<html><script>alert(document.cookie)</script></html>", 422, "UNSUPPORTED_FILE"),
    "bomb": (bomb_png(), 422, "UNSUPPORTED_FILE"),
    "exe": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, 422, "UNSUPPORTED_FILE"),
    "truncated": (png(300, 300)[:200], 422, "UNSUPPORTED_FILE"),
    "html": (b"<!doctype html><title>x</title>", 422, "UNSUPPORTED_FILE"),
    "empty": (b"", 422, "UNSUPPORTED_FILE"),
}


def state(storage):
    return storage.keys(), MediaAsset.objects.count()


def test_api_upload_stores_a_clean_copy(local_storage, client, user, project, character):
    response = client.post(f"{API}/assets", {
        "file": SimpleUploadedFile("holiday photo.jpg", jpeg_with_exif(), content_type="image/jpeg"),
        "project": str(project.public_id), "target": f"character:{character.public_id}",
    }, **bearer(user))

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["target"], data["source_type"], data["mime"], data["width"], data["height"]) == (
        f"character:{character.public_id}", "uploaded", "image/jpeg", 40, 30)
    assert data["file_name"] == "holiday photo.jpg"
    asset = MediaAsset.objects.get(public_id=data["id"])
    stored = open(f"{local_storage.root}/{asset.storage_key}", "rb").read()
    assert b"SecretCam" not in stored and not Image.open(io.BytesIO(stored)).getexif()


def test_api_upload_without_target_goes_to_the_project_gallery(local_storage, client, user, project):
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("c.png", png()),
                                              "project": str(project.public_id)}, **bearer(user))
    assert response.status_code == 201
    assert response.json()["data"]["target"] == f"project:{project.public_id}"


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_api_refuses_bad_files_and_keeps_nothing(local_storage, client, user, project, name):
    data, status, code = BAD_INPUTS[name]
    before = state(local_storage)

    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("picture.png", data, content_type="image/png"),
                                              "project": str(project.public_id)}, **bearer(user))

    assert (response.status_code, response.json()["error"]) == (status, code)
    assert response.json()["message"]
    assert state(local_storage) == before


def test_api_refuses_a_file_over_the_size_cap_with_413(local_storage, settings, client, user, project):
    settings.UPLOAD_MAX_BYTES = 1000
    before = state(local_storage)
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("big.png", png(400, 400) + b"\0" * 2000),
                                              "project": str(project.public_id)}, **bearer(user))
    assert (response.status_code, response.json()["error"]) == (413, "FILE_TOO_LARGE")
    assert state(local_storage) == before


@pytest.mark.parametrize("name", ["polyglot", "exe", "truncated"])
def test_gallery_upload_refuses_bad_files_in_place(local_storage, client, user, character, name):
    client.force_login(user)
    before = state(local_storage)
    response = client.post(reverse("studio:asset_upload"), {
        "file": SimpleUploadedFile("x.png", BAD_INPUTS[name][0]), "target": f"character:{character.public_id}",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps the gallery with the message in it
    assert b"role=\"alert\"" in response.content or b"alert" in response.content
    assert state(local_storage) == before


def test_gallery_upload_adds_the_image(local_storage, client, user, character):
    client.force_login(user)
    response = client.post(reverse("studio:asset_upload"), {
        "file": SimpleUploadedFile("sheet.png", png()), "target": f"character:{character.public_id}",
    })
    assert response.status_code == 302 and response["Location"] == reverse("studio:character", args=[character.public_id])
    assert MediaAsset.objects.filter(target_id=character.public_id, source_type="uploaded").count() == 1


def test_uploading_to_someone_elses_target_is_404(local_storage, client, outsider, character, project):
    client.force_login(outsider)
    page = client.post(reverse("studio:asset_upload"), {"file": SimpleUploadedFile("a.png", png()),
                                                 "target": f"character:{character.public_id}"})
    api = client.post(f"{API}/assets", {"file": SimpleUploadedFile("a.png", png()),
                                        "project": str(project.public_id)}, **bearer(outsider))
    assert page.status_code == 404 and api.status_code == 404
    assert not MediaAsset.objects.exists()
