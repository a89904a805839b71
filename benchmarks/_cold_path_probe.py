"""Where a cold start's first invocation spends its time, seen from inside the container.

Runs in the fresh Lambda-like interpreter of ``bench_cold_start`` as if it were the
handler module: its ``lambda_handler`` gets ``{"handler": "module.attribute", "event":
...}``, installs the timers below, imports the real handler and invokes it once. Only
the diagnostic runs load it; the timed runs import the real handler with nothing added.

- imports: every module whose loading starts while no other is loading (an import
  statement's whole cost, its own imports included), timed around the loader; and each
  distribution's share, the time its modules spent on their own code (nested imports
  excluded), so ``boto3`` loaded by Powertools shows up as ``boto3``'s time;
- clients: each ``boto3.client``/``boto3.resource`` call, by service (the first pays for
  boto3's default session too);
- HTTP: the time botocore spends sending requests and waiting for the answers.

Standard library only: this file must not add an import to what it measures.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_FILE_LOADERS = (
    importlib.machinery.SourceFileLoader,
    importlib.machinery.SourcelessFileLoader,
    importlib.machinery.ExtensionFileLoader,
)


class _Timers(importlib.abc.MetaPathFinder):
    """Import, client-creation and HTTP timers (one instance, first on ``sys.meta_path``)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.imports: list[tuple[str, float]] = []
        self.own: list[tuple[str, float]] = []
        self.clients: list[tuple[str, float]] = []
        self.http_seconds = 0.0
        self.lock = threading.Lock()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Find the module as the other finders would, and time its loading."""
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if isinstance(spec.loader, _FILE_LOADERS):
                    self._time_loader(fullname, spec.loader)
                return spec
        return None

    def _time_loader(self, fullname: str, loader: Any) -> None:
        exec_module = loader.exec_module

        def timed(module: ModuleType) -> None:
            nested: list[float] = getattr(self.local, "nested", [])
            self.local.nested = [0.0]  # what this module's own imports take
            start = time.perf_counter()
            try:
                exec_module(module)
            finally:
                elapsed = time.perf_counter() - start
                own = elapsed - self.local.nested[0]
                self.local.nested = nested
                with self.lock:
                    self.own.append((fullname.partition(".")[0], own))
                    if nested:
                        nested[0] += elapsed
                    else:
                        self.imports.append((fullname, elapsed))
            self._instrument(fullname, module)

        loader.exec_module = timed  # this spec's own loader instance

    def _instrument(self, fullname: str, module: ModuleType) -> None:
        if fullname == "boto3":
            for name in ("client", "resource"):
                setattr(module, name, self._timed_creation(getattr(module, name)))
        elif fullname == "botocore.endpoint":
            endpoint = module.Endpoint
            endpoint._send = self._timed_send(endpoint._send)

    def _timed_creation(self, create: Callable[..., Any]) -> Callable[..., Any]:
        def timed(service_name: str, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return create(service_name, *args, **kwargs)
            finally:
                with self.lock:
                    self.clients.append((service_name, time.perf_counter() - start))

        return timed

    def _timed_send(self, send: Callable[..., Any]) -> Callable[..., Any]:
        def timed(endpoint: Any, request: Any) -> Any:
            start = time.perf_counter()
            try:
                return send(endpoint, request)
            finally:
                with self.lock:
                    self.http_seconds += time.perf_counter() - start

        return timed


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Import and invoke ``event["handler"]`` once with ``event["event"]``, timed."""
    timers = _Timers()
    sys.meta_path.insert(0, timers)
    module_name, _, attribute = str(event["handler"]).rpartition(".")
    start = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), attribute)
    import_seconds = time.perf_counter() - start
    at_import, own_at_import = len(timers.imports), len(timers.own)
    start = time.perf_counter()
    response = handler(event["event"], context)
    invoke_seconds = time.perf_counter() - start
    return {
        "import_seconds": import_seconds,
        "invoke_seconds": invoke_seconds,
        "imports_on_invoke": timers.imports[at_import:],
        "own_import_time_on_invoke": timers.own[own_at_import:],
        "clients": timers.clients,
        "http_seconds": timers.http_seconds,
        "status": response.get("status") if isinstance(response, dict) else None,
    }
