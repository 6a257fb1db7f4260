"""Media test set-up: a project to hang assets on, image bytes, and the two platform storages
(local files in a fresh folder; S3 on moto's server, on loopback)."""

import io
import os
import warnings

import boto3
import pytest
from PIL import Image

from studio.targets import target_of
from studio.tests.factories import make_project

BUCKET = "modo-test-assets"


def png(width=64, height=48, color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def clip(size=(96, 64), seconds=2.0, rate=12, *, sound=False, rotation=0, metadata=None, fmt="mp4",
         faststart=True) -> bytes:
    """A small video (H.264 MP4, or VP8 WebM): each picture a different colour, optionally a 440 Hz
    tone as its sound, a display rotation and container metadata. `faststart` puts the index first,
    so a truncated copy still opens (and must be caught by its length)."""
    import math
    import tempfile
    from array import array

    import av

    from media import audio

    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as out:
        options = {"movflags": "faststart"} if fmt == "mp4" and faststart else {}
        with av.open(out.name, "w", format=fmt, options=options) as container:
            if metadata:
                container.metadata.update(metadata)
            stream = container.add_stream("libx264" if fmt == "mp4" else "libvpx", rate=rate)
            stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
            if rotation:
                stream.set_display_rotation(rotation)
            tone = container.add_stream("aac" if fmt == "mp4" else "libvorbis", rate=audio.RATE, layout="mono") \
                if sound else None
            for index in range(round(seconds * rate)):
                picture = Image.new("RGB", size, ((index * 23) % 256, 90, 200 - (index * 11) % 150))
                for packet in stream.encode(av.VideoFrame.from_image(picture)):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
            if tone is not None:
                samples = array("h", (int(9000 * math.sin(2 * math.pi * 440 * i / audio.RATE))
                                      for i in range(int(seconds * audio.RATE))))
                audio.write_pcm(container, tone, audio.Pcm(samples))
        with open(out.name, "rb") as made:
            return made.read()


@pytest.fixture
def project(user):
    return make_project(user, characters=2, locations=1, scenes=1)


@pytest.fixture
def character(project):
    return project.characters.first()


@pytest.fixture
def project_target(project):
    return target_of(project)


@pytest.fixture
def character_target(character):
    return target_of(character)


@pytest.fixture(scope="session")
def moto_server():
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class LocalFiles:
    name = "local"

    def __init__(self, root):
        self.root = root

    def keys(self) -> set[str]:
        return {os.path.relpath(os.path.join(d, f), self.root) for d, _, files in os.walk(self.root) for f in files}


class S3Files:
    name = "s3"

    def __init__(self, endpoint, bucket):
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                                   aws_access_key_id="testing", aws_secret_access_key="testing")
        self.bucket = bucket

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return LocalFiles(str(tmp_path))


@pytest.fixture
def s3_storage(settings, moto_server, request):
    """Platform storage on S3 (moto), configured exactly as STORAGE_BACKEND=s3 does, one bucket per test."""
    bucket = f"{BUCKET}-{abs(hash(request.node.nodeid)) % 10**8}"
    files = S3Files(moto_server, bucket)
    files.client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": bucket, "endpoint_url": moto_server, "region_name": "us-east-1",
                    "access_key": "testing", "secret_key": "testing", "file_overwrite": False, "default_acl": None,
                    "querystring_auth": True, "querystring_expire": 300, "signature_version": "s3v4"},
    }}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield files


@pytest.fixture(params=["local", "s3"])
def platform_storage(request):
    """The same test against local files and against S3."""
    return request.getfixturevalue(f"{request.param}_storage")
