"""Sound uploads and the audio decoder: a sound is stored only when it decodes whole, within the
size and length caps; a truncated MP3, a WAV whose header lies and a two-hour file are refused
with a clear 422 (413 past the size cap) and nothing is kept."""

import array
import io
import math
import struct

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import bearer
from media import audio
from media.models import MediaAsset

API = "/api/v1"


def tone(seconds: float, rate: int = audio.RATE, hz: float = 220.0) -> audio.Pcm:
    return audio.Pcm(array.array("h", (int(9000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(int(seconds * rate)))),
                     rate=rate)


def two_hour_mp3() -> bytes:
    """A real two-hour MP3 (8 kb/s silence, no Xing header): ten seconds encoded once, repeated."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp3", options={"write_xing": "0", "id3v2_version": "0"}) as container:
        stream = container.add_stream("libmp3lame", rate=8000, layout="mono")
        stream.bit_rate = 8000
        audio.write_pcm(container, stream, audio.Pcm(array.array("h", bytes(2 * 8000 * 10)), rate=8000))
    return out.getvalue() * 720


def lying_wav() -> bytes:
    """A WAV whose RIFF and data sizes promise four times the sound the file holds."""
    wav, _ = audio.encode(tone(2.0), "wav")
    return wav[:4] + struct.pack("<I", len(wav) * 4) + wav[8:40] + struct.pack("<I", len(wav) * 4) + wav[44:]


@pytest.mark.parametrize("fmt", audio.FORMATS)
def test_each_format_encodes_and_decodes_back_to_the_same_length(fmt):
    data, mime = audio.encode(tone(1.5), fmt)
    back = audio.decode(data)
    assert mime == audio.FORMATS[fmt] and abs(back.duration - 1.5) < 0.08 and audio.rms(back.samples) > 0.1


@pytest.mark.parametrize(("name", "make", "words"), [
    ("truncated-mp3", lambda: audio.encode(tone(3.0), "mp3")[0][:12000], "incomplete"),
    ("lying-wav", lying_wav, "incomplete"),
    ("two-hours", two_hour_mp3, "too long"),
    ("not-sound", lambda: b"RIFF\x10\x00\x00\x00WAVEjunkjunk", "no sound data"),
])
def test_malformed_sound_is_refused_with_a_clear_reason(name, make, words):
    with pytest.raises(audio.AudioRejected) as refused:
        audio.decode(make())
    assert refused.value.status == 422 and words in str(refused.value.message)


@pytest.mark.parametrize(("make", "status", "code"), [
    (lambda: audio.encode(tone(3.0), "mp3")[0][:12000], 422, "INVALID_AUDIO"),
    (lying_wav, 422, "INVALID_AUDIO"),
    (two_hour_mp3, 422, "INVALID_AUDIO"),
])
def test_the_upload_api_refuses_malformed_sound_and_keeps_nothing(local_storage, client, user, project, make, status,
                                                                  code):
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("line.mp3", make(), content_type="audio/mpeg"),
                                             "project": str(project.public_id)}, **bearer(user))
    assert response.status_code == status and response.json()["error"] == code, response.content
    assert response.json()["message"]
    assert not MediaAsset.objects.exists() and not local_storage.keys()


def test_a_sound_over_the_size_cap_is_refused_with_413(local_storage, settings, client, user, project):
    settings.AUDIO_UPLOAD_MAX_BYTES = 10_000
    wav, _ = audio.encode(tone(2.0), "wav")
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("long.wav", wav), "project": str(project.public_id)},
                           **bearer(user))
    assert response.status_code == 413 and not MediaAsset.objects.exists()


def test_an_uploaded_sound_is_stored_as_mp3_with_its_length(local_storage, client, user, project, character):
    wav, _ = audio.encode(tone(2.5), "wav")
    response = client.post(f"{API}/assets", {"file": SimpleUploadedFile("my line.wav", wav),
                                             "project": str(project.public_id),
                                             "target": f"character:{character.public_id}"}, **bearer(user))
    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert (asset.media_type, asset.mime, asset.file_name) == ("audio", "audio/mpeg", "my line.mp3")
    assert abs(asset.duration - 2.5) < 0.1 and asset.thumbnail == ""
