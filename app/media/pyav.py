# SPDX-License-Identifier: AGPL-3.0-or-later
"""Media files through PyAV (FFmpeg's libraries, bundled in the ``av`` wheel): probe, remux, MP4, poster, sound.

Nothing here runs a program: no system ``ffmpeg`` or ``ffprobe`` is needed. Every loop over
packets or frames checks a deadline (MEDIA_TIMEOUT_SECONDS), and a failure raises MediaError
with a short message that is safe to show to staff (FFmpeg's own words go to the log only).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
from flask import current_app

from app.core.storage import CHUNK_SIZE, get_storage

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600
POSTER_AT_SECONDS = 1.0
# The same rendition the ffmpeg command line made: x264 "veryfast" at CRF 28, AAC at 96 kb/s.
X264_OPTIONS = {"preset": "veryfast", "crf": "28"}
AAC_BIT_RATE = 96_000
POSTER_QUALITY = 4  # JPEG quantizer, as `-q:v 4`: small files that still look sharp
SPEECH_RATE = 16_000
MILLISECONDS = Fraction(1, 1000)


class MediaError(Exception):
    """Processing failed; the message is short and safe to show to staff."""


@dataclass(frozen=True)
class Probe:
    """What a media file holds."""

    duration: float | None
    has_video: bool
    has_audio: bool


class _Deadline:
    """Raises MediaError once a step has run longer than MEDIA_TIMEOUT_SECONDS."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seconds = int(current_app.config.get("MEDIA_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT)
        self.ends = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise MediaError(f"{self.what} took longer than {self.seconds} seconds")


def download_to(key: str, destination: Path) -> Path:
    """Copy a stored object to a local file, in chunks."""
    with get_storage().open(key) as source, destination.open("wb") as target:
        shutil.copyfileobj(source, target, CHUNK_SIZE)
    return destination


def _open(path: Path, what: str) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError) as error:
        logger.warning("%s: cannot open %s: %s", what, path.name, error)
        raise MediaError(f"{what} failed: the recording could not be read") from error


def probe(path: Path) -> Probe:
    """Duration and streams of a media file; MediaError if it is not one."""
    try:
        with av.open(str(path), mode="r") as container:
            has_video = bool(container.streams.video)
            has_audio = bool(container.streams.audio)
            duration = container.duration / av.time_base if container.duration else None
    except (av.error.FFmpegError, OSError, ValueError) as error:
        logger.warning("Probing %s failed: %s", path.name, error)
        raise MediaError("The recording could not be read") from error
    if not has_video and not has_audio:
        raise MediaError("The recording holds neither video nor audio")
    return Probe(
        duration=duration if duration and duration > 0 else None, has_video=has_video, has_audio=has_audio
    )


def _output_options(destination: Path) -> dict[str, str]:
    # The MP4 index goes to the front, so playback starts before the whole file has arrived.
    return {"movflags": "+faststart"} if destination.suffix == ".mp4" else {}


def remux(source: Path, destination: Path) -> Path:
    """Rewrite the container without re-encoding, so duration and seeking work (WebM→WebM, MP4→MP4)."""
    deadline = _Deadline("Remuxing")
    try:
        with (
            _open(source, "Remuxing") as reader,
            av.open(str(destination), mode="w", options=_output_options(destination)) as writer,
        ):
            pairs = {}
            for stream in reader.streams:
                if stream.type in ("video", "audio"):
                    pairs[stream.index] = writer.add_stream_from_template(stream)
            if not pairs:
                raise MediaError("Remuxing failed: the recording could not be read")
            for packet in reader.demux([reader.streams[index] for index in pairs]):
                deadline.check()
                if packet.dts is None:  # the demuxer's final, empty packet
                    continue
                packet.stream = pairs[packet.stream.index]
                writer.mux(packet)
    except av.error.FFmpegError as error:
        logger.warning("Remuxing %s failed: %s", source.name, error)
        raise MediaError("Remuxing failed: the recording could not be read") from error
    return destination


def make_mp4(source: Path, destination: Path, *, has_audio: bool) -> Path:
    """An H.264/AAC MP4 that every browser plays, with the index up front for streaming."""
    deadline = _Deadline("Making the MP4")
    try:
        rotation = _display_rotation(source)
        with (
            _open(source, "Making the MP4") as reader,
            av.open(str(destination), mode="w", format="mp4", options=_output_options(destination)) as writer,
        ):
            _encode_mp4(reader, writer, has_audio=has_audio, rotation=rotation, deadline=deadline)
    except av.error.FFmpegError as error:
        logger.warning("Making the MP4 from %s failed: %s", source.name, error)
        raise MediaError("Making the MP4 failed: the recording could not be read") from error
    return destination


def _display_rotation(source: Path) -> int:
    """How far (0, 90, 180 or 270 degrees counterclockwise) players turn the picture, as phones ask."""
    with _open(source, "Making the MP4") as reader:
        if not reader.streams.video:
            return 0
        for packet in reader.demux(reader.streams.video[0]):
            for frame in _video_frames(packet):
                return round((frame.rotation or 0) / 90) % 4 * 90
    return 0


# The filters that turn a picture upright, as the ffmpeg program's autorotate does.
UPRIGHT_FILTERS = {
    90: [("transpose", "cclock")],
    180: [("hflip", ""), ("vflip", "")],
    270: [("transpose", "clock")],
}


def _upright_graph(stream: av.VideoStream, rotation: int) -> av.filter.Graph | None:
    """A filter graph that applies the recording's rotation to its pixels (None when upright)."""
    if rotation not in UPRIGHT_FILTERS:
        return None
    graph = av.filter.Graph()
    last = graph.add_buffer(template=stream)
    for name, arguments in UPRIGHT_FILTERS[rotation]:
        node = graph.add(name, arguments)
        last.link_to(node)
        last = node
    last.link_to(graph.add("buffersink"))
    graph.configure()
    return graph


def _encode_mp4(
    reader: av.container.InputContainer,
    writer: av.container.OutputContainer,
    *,
    has_audio: bool,
    rotation: int,
    deadline: _Deadline,
) -> None:
    if not reader.streams.video:
        raise MediaError("The recording has no picture")
    video_in = reader.streams.video[0]
    video_in.thread_type = "AUTO"
    # The MP4 carries no rotation: its pixels are turned upright instead, as players would show them.
    upright = _upright_graph(video_in, rotation)
    width, height = video_in.codec_context.width, video_in.codec_context.height
    if rotation in (90, 270):
        width, height = height, width
    # yuv420p needs even dimensions; recordings from some cameras are odd-sized.
    width, height = width // 2 * 2, height // 2 * 2
    if width < 2 or height < 2:
        raise MediaError("Making the MP4 failed: the recording could not be read")
    rate = video_in.guessed_rate or video_in.average_rate or 30
    video_out = writer.add_stream("libx264", rate=rate, options=dict(X264_OPTIONS))
    video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
    # Browsers record with variable frame rates: keep each frame's own time, to the millisecond.
    video_out.codec_context.time_base = MILLISECONDS
    video_out.time_base = MILLISECONDS
    video_out.codec_context.thread_type = "AUTO"

    audio_in = reader.streams.audio[0] if has_audio and reader.streams.audio else None
    audio_out = None
    if audio_in is not None:
        audio_in.codec_context.thread_type = "AUTO"
        audio_out = writer.add_stream("aac", rate=audio_in.codec_context.sample_rate or 48_000)
        audio_out.bit_rate = AAC_BIT_RATE
        # AAC in browsers is mono or stereo: fold anything wider down to stereo.
        audio_out.layout = "mono" if audio_in.codec_context.channels == 1 else "stereo"

    streams = [video_in] + ([audio_in] if audio_in is not None else [])
    last_pts: int | None = None
    for packet in reader.demux(streams):
        deadline.check()
        for frame in _decoded(packet):
            if isinstance(frame, av.VideoFrame):
                pts = _frame_milliseconds(frame)
                if last_pts is not None and (pts is None or pts <= last_pts):
                    # A frame without a time, or out of order, follows the previous one by a millisecond.
                    pts = last_pts + 1
                pts = last_pts = pts if pts is not None else 0
                if upright is not None:
                    upright.vpush(frame)
                    frame = upright.vpull()
                picture = frame.reformat(width=width, height=height, format="yuv420p")
                picture.pts, picture.time_base = pts, MILLISECONDS
                writer.mux(video_out.encode(picture))
            elif isinstance(frame, av.AudioFrame) and audio_out is not None:
                writer.mux(audio_out.encode(frame))
    if last_pts is None:
        raise MediaError("Making the MP4 failed: no picture found")
    writer.mux(video_out.encode(None))
    if audio_out is not None:
        writer.mux(audio_out.encode(None))


def _decoded(packet: av.Packet) -> Iterator[av.frame.Frame]:
    """The packet's frames; a damaged packet is skipped as ffmpeg does, not fatal."""
    try:
        yield from packet.decode()
    except av.error.InvalidDataError as error:
        logger.info("Skipping a damaged packet: %s", error)


def _video_frames(packet: av.Packet) -> Iterator[av.VideoFrame]:
    """The pictures a video packet decodes to."""
    return (frame for frame in _decoded(packet) if isinstance(frame, av.VideoFrame))


def _audio_frames(packet: av.Packet) -> Iterator[av.AudioFrame]:
    """The sound an audio packet decodes to."""
    return (frame for frame in _decoded(packet) if isinstance(frame, av.AudioFrame))


def _frame_milliseconds(frame: av.frame.Frame) -> int | None:
    if frame.pts is None or frame.time_base is None:
        return None
    return round(frame.pts * frame.time_base * 1000)


def make_poster(source: Path, destination: Path, *, duration: float | None) -> Path:
    """A JPEG of the frame at about one second (the first frame for shorter recordings)."""
    at = POSTER_AT_SECONDS if duration is None or duration > POSTER_AT_SECONDS + 0.1 else 0.0
    deadline = _Deadline("Making the poster")
    try:
        with _open(source, "Making the poster") as reader:
            if not reader.streams.video:
                raise MediaError("Making the poster failed: no frame found")
            stream = reader.streams.video[0]
            frame = _frame_at(reader, stream, at, deadline)
    except av.error.FFmpegError as error:
        logger.warning("Making the poster from %s failed: %s", source.name, error)
        raise MediaError("Making the poster failed: the recording could not be read") from error
    if frame is None:
        raise MediaError("Making the poster failed: no frame found")
    destination.write_bytes(_jpeg(frame))
    return destination


def _frame_at(
    reader: av.container.InputContainer, stream: av.VideoStream, seconds: float, deadline: _Deadline
) -> av.VideoFrame | None:
    """The first frame at or after ``seconds`` (the last one when the video is shorter)."""
    if seconds > 0 and stream.time_base:
        try:
            reader.seek(int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            reader.seek(0)
    found = None
    for packet in reader.demux(stream):
        deadline.check()
        for frame in _video_frames(packet):
            found = frame
            if frame.time is None or frame.time >= seconds - 0.001:
                return frame
    return found


def _jpeg(frame: av.VideoFrame) -> bytes:
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = frame.width, frame.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    encoder.qmin = encoder.qmax = POSTER_QUALITY
    picture = frame.reformat(format="yuvj420p")
    picture.pts, picture.time_base = 0, encoder.time_base
    packets = encoder.encode(picture) + encoder.encode(None)
    return b"".join(bytes(packet) for packet in packets)


def extract_audio(source: Path, destination: Path) -> Path:
    """16 kHz mono WAV of the recording's sound, as speech recognition wants it."""
    deadline = _Deadline("Extracting the sound")
    try:
        with (
            _open(source, "Extracting the sound") as reader,
            av.open(str(destination), mode="w", format="wav") as writer,
        ):
            if not reader.streams.audio:
                raise MediaError("Extracting the sound failed: the recording has no sound")
            audio_in = reader.streams.audio[0]
            audio_out = writer.add_stream("pcm_s16le", rate=SPEECH_RATE, layout="mono")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
            for packet in reader.demux(audio_in):
                deadline.check()
                for frame in _audio_frames(packet):
                    frame.pts = None  # the WAV is a plain run of samples from the start
                    for resampled in resampler.resample(frame):
                        writer.mux(audio_out.encode(resampled))
            for resampled in resampler.resample(None):
                writer.mux(audio_out.encode(resampled))
            writer.mux(audio_out.encode(None))
    except av.error.FFmpegError as error:
        logger.warning("Extracting the sound of %s failed: %s", source.name, error)
        raise MediaError("Extracting the sound failed: the recording could not be read") from error
    return destination
