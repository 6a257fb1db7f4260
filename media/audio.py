"""Sound in and out, as bytes (PyAV): untrusted audio decoded and checked — its size, its length
and that what decodes is what its header promises — PCM helpers (mono 16-bit at one rate,
joining lines with pauses, the loudness envelope) and encoding to WAV, MP3 or Opus.

Pure bytes-in/bytes-out: nothing here touches the database or storage."""

import array
import io
import math
import operator
import struct
import wave
from dataclasses import dataclass

import av
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from modo.errors import AppError
from modo.imaging import FileTooLarge

RATE = 24000  # every sound is worked on as mono 16-bit PCM at this rate
FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg", "opus": "audio/ogg"}
# A file whose decoded sound is shorter than this share of the length its header declares is
# incomplete (a truncated download, a WAV header that lies about its data).
COMPLETE_SHARE = 0.9


class AudioRejected(AppError):
    code, status = "INVALID_AUDIO", 422
    default_message = _("This sound file could not be read. Use a WAV, MP3, Ogg/Opus or M4A file.")


@dataclass
class Pcm:
    samples: array.array  # signed 16-bit, mono
    rate: int = RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def _too_long(max_seconds: float) -> AudioRejected:
    return AudioRejected(_("This sound is too long: at most %(n)s seconds.") % {"n": int(max_seconds)})


def _declared_seconds(container) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    stream = container.streams.audio[0]
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _wav_declared_seconds(data: bytes) -> float | None:
    """For a RIFF/WAVE file, the length its header declares — checked against the bytes really
    there (FFmpeg quietly plays what it finds, so a header that lies must be caught here)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    byte_rate, pos = 0, 12
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if chunk == b"fmt " and size >= 16:
            byte_rate = struct.unpack("<I", data[pos + 16:pos + 20])[0]
        elif chunk == b"data":
            if size > len(data) - pos - 8 and size != 0xFFFFFFFF:  # 0xFFFFFFFF: a stream of unknown length
                raise AudioRejected(_("This WAV file is incomplete: its header declares more sound than the file holds."))
            return size / byte_rate if byte_rate else None
        pos += 8 + size + (size & 1)
    raise AudioRejected(_("This WAV file has no sound data."))


def decode(data: bytes, *, max_seconds: float | None = None, max_bytes: int | None = None) -> Pcm:
    """Decodes untrusted audio to mono PCM at RATE. Raises FileTooLarge (413) past the size cap,
    AudioRejected (422) for a file that is not sound, too long (declared or decoded) or
    incomplete (decodes to much less than its header declares) — before anything is stored."""
    max_seconds = settings.AUDIO_MAX_SECONDS if max_seconds is None else max_seconds
    max_bytes = settings.AUDIO_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise FileTooLarge(_("This file is too large: at most %(mb)s MB.") % {"mb": f"{max_bytes / 1024 / 1024:.3g}"})
    wav_seconds = _wav_declared_seconds(data)
    if wav_seconds is not None and wav_seconds > max_seconds + 0.5:
        raise _too_long(max_seconds)
    out = array.array("h")
    limit = int(max_seconds * RATE) + RATE // 2
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioRejected()
            declared = _declared_seconds(container)
            if declared is not None and declared > max_seconds + 0.5:
                raise _too_long(max_seconds)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in container.decode(container.streams.audio[0]):
                for chunk in resampler.resample(frame):
                    out.frombytes(bytes(chunk.planes[0])[: chunk.samples * 2])
                if len(out) > limit:
                    raise _too_long(max_seconds)
            for chunk in resampler.resample(None):
                out.frombytes(bytes(chunk.planes[0])[: chunk.samples * 2])
    except AudioRejected:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError, IndexError) as exc:
        raise AudioRejected(_("This sound file is damaged or incomplete.")) from exc
    if len(out) < RATE // 50:  # under 20 ms: nothing to hear
        raise AudioRejected(_("This sound file is damaged or empty."))
    decoded = len(out) / RATE
    if declared is not None and decoded < declared * COMPLETE_SHARE - 0.1:
        raise AudioRejected(_("This sound file is incomplete: its header promises %(declared)s s but only "
                              "%(decoded)s s can be played.") % {"declared": f"{declared:.1f}", "decoded": f"{decoded:.1f}"})
    return Pcm(out)


def silence(seconds: float, rate: int = RATE) -> array.array:
    return array.array("h", bytes(2 * int(seconds * rate)))


def join(parts: list[Pcm], *, pause: float = 0.4) -> Pcm:
    """The parts one after another with `pause` seconds of silence between them."""
    out = array.array("h")
    for n, part in enumerate(parts):
        if n:
            out.extend(silence(pause))
        out.extend(part.samples)
    return Pcm(out)


def rms(samples) -> float:
    """Root-mean-square loudness, 0 (silence) to 1 (full scale)."""
    if not samples:
        return 0.0
    return math.sqrt(sum(map(operator.mul, samples, samples)) / len(samples)) / 32768


def envelope(pcm: Pcm, *, fps: int) -> list[float]:
    """The loudness of each 1/fps window, scaled so the loudest is 1 (all zeros for silence)."""
    step = max(1, pcm.rate // fps)
    values = [rms(pcm.samples[i:i + step]) for i in range(0, len(pcm.samples), step)]
    top = max(values, default=0.0)
    return [v / top for v in values] if top > 0 else values


def encode(pcm: Pcm, fmt: str = "wav") -> tuple[bytes, str]:
    """(bytes, mime) of the sound as WAV (16-bit), MP3 (64 kb/s) or Opus in Ogg."""
    if fmt == "wav":
        out = io.BytesIO()
        with wave.open(out, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(pcm.rate)
            writer.writeframes(pcm.samples.tobytes())
        return out.getvalue(), FORMATS["wav"]
    codec, container_format, rate = {"mp3": ("libmp3lame", "mp3", pcm.rate), "opus": ("libopus", "ogg", 48000)}[fmt]
    out = io.BytesIO()
    with av.open(out, mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = 64000
        write_pcm(container, stream, pcm)
    return out.getvalue(), FORMATS[fmt]


def write_pcm(container, stream, pcm: Pcm, *, chunk: int = 4096) -> None:
    """Encodes the PCM into an open audio stream of an output container (the encoder resamples
    and reframes it to what the codec needs), then flushes it."""
    for start in range(0, len(pcm.samples), chunk):
        part = pcm.samples[start:start + chunk]
        frame = av.AudioFrame(format="s16", layout="mono", samples=len(part))
        frame.planes[0].update(part.tobytes())
        frame.sample_rate, frame.pts = pcm.rate, start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def clean(data: bytes) -> tuple[bytes, str, float]:
    """An uploaded sound checked (decode() raises) and re-encoded as MP3: (bytes, mime, seconds).
    Nothing of the upload but its sound survives."""
    pcm = decode(data)
    encoded, mime = encode(pcm, "mp3")
    return encoded, mime, round(pcm.duration, 3)
