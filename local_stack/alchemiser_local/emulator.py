"""The embedded AWS emulator: a moto server on a loopback port, in its own process.

The code under test finds it through boto3's ``AWS_ENDPOINT_URL``, exactly as deployed
code finds AWS: no special code paths. A separate process runs on the second core, so
its start (moto's CloudFormation imports every service it models: seconds) overlaps
the local stack's own preparation, and the functions never share a GIL with it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from alchemiser_local.environment import patched_environ

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["EMULATOR_ENV", "Emulator", "EmulatorError", "PortInUseError", "running_emulator"]

#: Credentials the emulator accepts; never real ones.
EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
_READY_PATH = "/moto-api/"
_RESET_PATH = "/moto-api/reset"
_RESET_AUTH_PATH = "/moto-api/reset-auth"
#: A refused connection costs microseconds; each poll saved is time the run waits less.
_READY_POLL_SECONDS = 0.01
_SERVER = "alchemiser_local.emulator_server"
#: moto's switch: the first this many requests go unchecked, every later one is checked.
NO_AUTH_ENV = "INITIAL_NO_AUTH_ACTION_COUNT"


class EmulatorError(Exception):
    """Raised when the emulator process does not come up."""


class PortInUseError(EmulatorError):
    """Raised when the port asked for is already taken by another process."""


def _bind_probe(host: str, port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(
                f"port {port} on {host} is in use ({exc.strerror}); pick another with --port, "
                "or 0 for any free port"
            ) from exc
        return int(probe.getsockname()[1])


@dataclass
class Emulator:
    """A moto server process; ``start`` returns at once, ``wait_ready`` blocks."""

    port: int = 0
    host: str = "127.0.0.1"
    log: IO[bytes] | int = subprocess.DEVNULL
    #: Enforce IAM after this many unchecked first requests (None: never check, moto's
    #: default). The local stack's own first requests create its admin (``iam``).
    unchecked_requests: int | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def endpoint(self) -> str:
        """The URL boto3 is pointed at."""
        return f"http://{self.host}:{self.port}"

    @property
    def enforces_iam(self) -> bool:
        """Whether requests are checked against IAM (after the unchecked first ones)."""
        return self.unchecked_requests is not None

    def start(self) -> None:
        """Launch the server (port 0 picks a free one); a second call does nothing."""
        if self._process is not None:
            return
        self.port = _bind_probe(self.host, self.port)
        command = [sys.executable, "-m", _SERVER, "--host", self.host, "--port", str(self.port)]
        environment = {k: v for k, v in os.environ.items() if k != NO_AUTH_ENV}
        if self.unchecked_requests is not None:
            command.append("--enforce-iam")
            environment[NO_AUTH_ENV] = str(self.unchecked_requests)
        self._process = subprocess.Popen(  # noqa: S603 - our own module, this interpreter
            command, stdout=self.log, stderr=self.log, env=environment
        )

    def wait_ready(self, timeout_seconds: float = 60.0) -> None:
        """Block until the server answers.

        Raises:
            EmulatorError: the process exited, or did not answer in time.
        """
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                code = None if self._process is None else self._process.returncode
                raise EmulatorError(f"the emulator process exited (code {code}) before serving")
            try:
                with urllib.request.urlopen(self.endpoint + _READY_PATH, timeout=1):  # noqa: S310
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(_READY_POLL_SECONDS)
        raise EmulatorError(
            f"the emulator did not answer on {self.endpoint} in {timeout_seconds} s"
        )

    def reset(self) -> None:
        """Forget every resource (moto's reset), as a fresh process would have none.

        With IAM enforced, the next ``unchecked_requests`` requests go unchecked again
        (moto's ``reset-auth``) and the recorded refusals and grants are forgotten, so
        the next stack bootstraps its admin as in a new emulator.
        """
        self._post(_RESET_PATH, b"")
        if self.unchecked_requests is not None:
            self._post(_RESET_AUTH_PATH, str(self.unchecked_requests).encode())
            from alchemiser_local.iam import forget_decisions  # noqa: PLC0415

            forget_decisions(self.endpoint)

    def _post(self, path: str, body: bytes) -> None:
        # Not a form: moto reads reset-auth's count from the raw body.
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.endpoint + path, data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback
            pass

    def stop(self) -> None:
        """End the server process at once: its state dies with the run by design.

        (moto's server shuts down gracefully on SIGTERM, which takes most of a second.)
        """
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None


@contextmanager
def running_emulator(emulator: Emulator) -> Iterator[Emulator]:
    """Start ``emulator`` (unless started), point boto3 at it; restore and stop on exit.

    Does not wait for readiness: call ``wait_ready`` before the first AWS call, and do
    whatever needs no AWS in between. A named profile and a session token are hidden:
    their credentials, or their region, must never reach the emulator's clients.
    """
    emulator.start()
    try:
        with patched_environ(
            {**EMULATOR_ENV, "AWS_ENDPOINT_URL": emulator.endpoint},
            unset=["AWS_PROFILE", "AWS_SESSION_TOKEN"],
        ):
            yield emulator
    finally:
        emulator.stop()
