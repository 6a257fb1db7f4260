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
