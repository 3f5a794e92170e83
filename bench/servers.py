# SPDX-License-Identifier: AGPL-3.0-or-later
"""gunicorn servers started on free loopback ports, and always stopped again."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]


def gunicorn_command() -> list[str]:
    """The project's gunicorn (.venv/bin/gunicorn), else the one beside this Python."""
    for candidate in (ROOT / ".venv" / "bin" / "gunicorn", Path(sys.executable).parent / "gunicorn"):
        if candidate.exists():
            return [str(candidate)]
    return [sys.executable, "-m", "gunicorn"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master (in its own process group) and where it logs."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, to explain a failure."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the master and its workers, SIGKILL if they are still there after 10 s."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


def start_server(name: str, app_spec: str, environ: dict[str, str], port: int, log_dir: Path) -> Server:
    """Start gunicorn for ``app_spec`` on 127.0.0.1:``port`` with the shared settings."""
    log_path = log_dir / f"{name}.log"
    env = {**os.environ, **environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *gunicorn_command(),
                "--bind",
                f"{HOST}:{port}",
                *GUNICORN_SETTINGS,
                "--log-level",
                "warning",
                app_spec,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() reaches the workers too
        )
    return Server(name, port, process, log_path)


def wait_until_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    """Poll ``path`` until the server answers at all; RuntimeError if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        connection = http.client.HTTPConnection(HOST, server.port, timeout=2)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s:\n{server.log_tail()}")
