"""A fresh install generates through the router with the seeded offline provider: no keys, no network."""

import io

import av
import pytest
from PIL import Image

from aiproviders import router
from aiproviders.adapters.base import ImageRequest, TextRequest, Usage, VideoRequest
from aiproviders.models import UsageLog


@pytest.mark.django_db
def test_text_image_and_video_work_out_of_the_box():
    items = list(router.stream_text(
        router.Call(type="text"),
        TextRequest(prompt="Describe her", context={"section": "character", "subject": {"name": "Lintang"}}),
    ))
    draft = "".join(i for i in items if isinstance(i, str))
    assert draft.startswith("Lintang ") and "Offline" not in draft and "Describe her" not in draft
    assert isinstance(items[-1], Usage)

    image, model, _ = router.generate_image(router.Call(type="image"), ImageRequest(prompt="Lintang", width=512, height=512))
    assert model.provider.kind == "local"
    assert Image.open(io.BytesIO(image.data)).size == (512, 512)

    job, _, _ = router.start_video(router.Call(type="video"),
                                   VideoRequest(image=image.data, duration=3, width=320, height=180))
    assert job.status == "succeeded"
    with av.open(io.BytesIO(job.data)) as container:
        assert container.streams.video[0].codec_context.name == "h264"

    assert list(UsageLog.objects.values_list("status", flat=True)) == ["ok", "ok", "ok"]
    assert router.quote(type="text") == 3 and router.quote(type="image") == 5
    assert router.quote(type="video", params={"duration": 5}) == 25
