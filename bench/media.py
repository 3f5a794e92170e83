# SPDX-License-Identifier: AGPL-3.0-or-later
"""``python -m bench media``: seconds of media processing per second of video, PyAV beside ffmpeg.

Makes a browser-like recording (VP8/Opus WebM with a moving, noisy picture and sound) with PyAV,
then processes it the way a video answer is processed (remux, H.264/AAC MP4 with the index up
front, duration, poster, 16 kHz sound for the transcript) through two paths in interleaved
rounds: the product's PyAV code (app/media/pyav.py) and the system ffmpeg/ffprobe programs the
product used before (bench/ffmpeg_cli.py; skipped when they are not installed). Prints the median
and the spread of each path, as seconds of processing per second of video and as a ratio, and
the CPU seconds per second of video (steadier than wall-clock time on a busy machine). The
process is pinned to ``--cores`` CPUs (2 by default), and the programs it starts inherit that.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from bench import ffmpeg_cli


def make_recording(path: Path, *, seconds: float, width: int, height: int, fps: int) -> Path:
    """A WebM like a browser's MediaRecorder makes: VP8 picture that moves and is noisy, Opus sound."""
    import av
    import numpy as np

    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:height, 0:width]
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libvpx", rate=fps, options={"deadline": "realtime", "cpu-used": "8"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.bit_rate = 1_500_000
        audio = container.add_stream("libopus", rate=48_000, layout="mono")
        for index in range(round(seconds * fps)):
            # A slowly moving gradient (a person moving) with sensor noise on top, as cameras give.
            base = ((xs + ys + index * 4) % 256).astype(np.int16)
            noise = rng.integers(-12, 13, size=(height, width), dtype=np.int16)
            luma = np.clip(base + noise, 0, 255).astype(np.uint8)
            picture = np.stack([luma, np.roll(luma, index, axis=1), 255 - luma], axis=-1)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        rate = 48_000
        times = np.arange(round(seconds * rate)) / rate
        sound = (0.2 * np.sin(2 * np.pi * 220 * times) + 0.05 * rng.standard_normal(times.size)).astype(
            np.float32
        )
        for start in range(0, sound.size, 960):
            chunk = av.AudioFrame.from_ndarray(
                sound[start : start + 960].reshape(1, -1), format="fltp", layout="mono"
            )
            chunk.sample_rate, chunk.pts, chunk.time_base = rate, start, Fraction(1, rate)
            container.mux(audio.encode(chunk))
        container.mux(audio.encode(None))
    return path


def process_with_pyav(source: Path, folder: Path) -> None:
    """What app.media.tasks does to an answer, through the product's PyAV module."""
    from app.media import pyav

    found = pyav.probe(source)
    remuxed = pyav.remux(source, folder / "remuxed.webm")
    mp4 = pyav.make_mp4(remuxed, folder / "answer.mp4", has_audio=found.has_audio)
    duration = pyav.probe(remuxed).duration or pyav.probe(mp4).duration
    pyav.make_poster(mp4, folder / "poster.jpg", duration=duration)
    pyav.extract_audio(mp4, folder / "audio.wav")


def process_with_ffmpeg(source: Path, folder: Path) -> None:
    """The same steps through the system ffmpeg and ffprobe programs (the former path)."""
    _duration, has_audio = ffmpeg_cli.probe_duration(source)
    remuxed = ffmpeg_cli.remux(source, folder / "remuxed.webm")
    mp4 = ffmpeg_cli.make_mp4(remuxed, folder / "answer.mp4", has_audio=has_audio)
    ffmpeg_cli.probe_duration(remuxed)
    ffmpeg_cli.make_poster(mp4, folder / "poster.jpg")
    ffmpeg_cli.extract_audio(mp4, folder / "audio.wav")


def pin_cores(count: int) -> str:
    """Run on ``count`` CPUs (fewer if the machine has fewer); says what was done."""
    available = sorted(os.sched_getaffinity(0))
    chosen = available[: max(1, count)]
    os.sched_setaffinity(0, chosen)
    return f"{len(chosen)} of {os.cpu_count()} CPUs"


def cpu_seconds() -> float:
    """CPU time used so far by this process (all its threads) and the programs it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(step: Callable[[Path, Path], None], source: Path, workdir: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds one processing run takes, in a fresh folder."""
    folder = Path(tempfile.mkdtemp(dir=workdir))
    try:
        started, cpu_started = time.perf_counter(), cpu_seconds()
        step(source, folder)
        return time.perf_counter() - started, cpu_seconds() - cpu_started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick for a short run."""
    parser = argparse.ArgumentParser(prog="python -m bench media", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 4 s recording, 3 rounds")
    parser.add_argument("--seconds", type=float, help="length of the recording (default 20, quick 4)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per path (default 5, quick 3)")
    parser.add_argument("--size", default="640x480", help="picture size, WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--fps", type=int, default=30, help="frames per second (default 30)")
    parser.add_argument("--cores", type=int, default=2, help="CPUs to run on (default 2)")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (4.0 if args.quick else 20.0)
    args.rounds = args.rounds or (3 if args.quick else 5)
    try:
        args.width, args.height = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        parser.error("--size must look like 640x480")
    if args.seconds <= 0 or min(args.rounds, args.fps, args.cores, args.width, args.height) < 1:
        parser.error("--seconds, --rounds, --fps, --cores and the size must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Make the recording, time each path in interleaved rounds, print the table, clean up."""
    from flask import Flask

    args = parse_args(argv)
    cores = pin_cores(args.cores)
    workdir = Path(tempfile.mkdtemp(prefix="openround-bench-media-"))
    app = Flask("bench-media")
    app.config["MEDIA_TIMEOUT_SECONDS"] = 3600
    try:
        source = make_recording(
            workdir / "answer.webm", seconds=args.seconds, width=args.width, height=args.height, fps=args.fps
        )
        paths: dict[str, Callable[[Path, Path], None]] = {"PyAV (the product)": process_with_pyav}
        skipped = ""
        if ffmpeg_cli.available():
            paths = {"ffmpeg + ffprobe programs": process_with_ffmpeg, **paths}
        else:
            skipped = "ffmpeg + ffprobe programs: skipped (not installed)"
        times: dict[str, list[float]] = {label: [] for label in paths}
        cpu: dict[str, list[float]] = {label: [] for label in paths}
        with app.app_context():
            for step in paths.values():  # a warm-up run each: imports, caches, the page cache
                timed(step, source, workdir)
            for round_number in range(args.rounds):
                # Alternate the order, so neither path always runs on a warmer machine.
                order = list(paths.items())
                for label, step in order if round_number % 2 == 0 else reversed(order):
                    wall, used = timed(step, source, workdir)
                    times[label].append(wall)
                    cpu[label].append(used)
        print(
            f"{args.width}x{args.height} {args.fps} fps VP8/Opus WebM of {args.seconds:g} s "
            f"({source.stat().st_size / 1024:.0f} KB); {args.rounds} interleaved rounds after a warm-up; "
            f"{cores}\nsteps: probe, remux, H.264/AAC MP4 (x264 veryfast CRF 28, faststart), duration, "
            "poster, 16 kHz WAV\n"
        )
        header = (
            f"{'path':<28} {'median s':>9} {'min s':>7} {'max s':>7} {'spread':>7} "
            f"{'s per video s':>14} {'vs ffmpeg':>10} {'CPU s per video s':>18}"
        )
        print(header)
        print("-" * len(header))
        baseline = statistics.median(times["ffmpeg + ffprobe programs"]) if not skipped else None
        for label, values in times.items():
            median = statistics.median(values)
            spread = (max(values) - min(values)) / median if median else 0.0
            ratio = f"{median / baseline:>10.2f}" if baseline else f"{'-':>10}"
            print(
                f"{label:<28} {median:>9.2f} {min(values):>7.2f} {max(values):>7.2f} {spread:>7.0%} "
                f"{median / args.seconds:>14.3f} {ratio} {statistics.median(cpu[label]) / args.seconds:>18.3f}"
            )
        if skipped:
            print(skipped)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
