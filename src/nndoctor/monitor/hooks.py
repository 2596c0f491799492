"""One owner for every hook and patch the monitor installs, and the fail-safe around each probe.

Everything attached goes through a `HookSet`, so `remove_all()` (idempotent) leaves PyTorch exactly as
it found it. A probe that raises is switched off and the error recorded: the user's step goes on. An
error of the device itself is not the probe's: CUDA reports a kernel's failure (a device-side assert on
a label out of range) at the next call that waits for the device, which may be one of nndoctor's. The
probe stops touching the device, the failure is recorded once, and the probe still hands in at the end
what it holds on the host.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import torch

_ACCELERATOR_ERROR = getattr(torch, "AcceleratorError", None)  # torch 2.8 and later


def error_line(error: BaseException) -> str:
    """The error's type and the first line of its message (torch's dispatcher errors run to pages)."""
    return f"{type(error).__name__}: {str(error).split(chr(10), 1)[0]}"


def is_device_failure(error: BaseException) -> bool:
    """Whether `error` is the device's (a failed kernel, a lost GPU), not the code that met it."""
    if _ACCELERATOR_ERROR is not None and isinstance(error, _ACCELERATOR_ERROR):
        return True
    return isinstance(error, RuntimeError) and "CUDA error" in str(error)


class HookSet:
    """Owns removable hook handles and attribute patches; removes them all, once, in reverse order."""

    def __init__(self) -> None:
        self._handles: dict[str, Any] = {}
        self._patches: list[tuple[Any, str, Any, Any]] = []  # (owner, name, original, wrapper)

    def add_handle(self, key: str, handle: Any) -> None:
        """Keep a torch RemovableHandle under a key, so that a hook can be removed on its own."""
        self.remove_handle(key)
        self._handles[key] = handle

    def has_handle(self, key: str) -> bool:
        return key in self._handles

    def remove_handle(self, key: str) -> None:
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.remove()

    def patch(self, owner: Any, name: str, make_wrapper: Callable[[Any], Any]) -> None:
        """Replace `owner.name` by `make_wrapper(original)`; the original comes back on `remove_all`."""
        original = getattr(owner, name)
        wrapper = make_wrapper(original)
        self._patches.append((owner, name, original, wrapper))
        setattr(owner, name, wrapper)

    def bypass(self, owner: Any, name: str, bypassed: bool) -> bool:
        """Put the original of a patch back for a while (`bypassed`), or the wrapper again. False when
        something else patched `owner.name` after us: then it is left alone, wrapper and all."""
        for patched_owner, patched_name, original, wrapper in self._patches:
            if patched_owner is owner and patched_name == name:
                now, then = (wrapper, original) if bypassed else (original, wrapper)
                if getattr(owner, name) is not now:
                    return False
                setattr(owner, name, then)
                return True
        return False

    def remove_all(self) -> None:
        for key in list(self._handles):
            self.remove_handle(key)
        while self._patches:
            owner, name, original, _ = self._patches.pop()
            setattr(owner, name, original)


class Probes:
    """Tracks which probes are on; `guard` runs a probe's code and switches the probe off if it raises."""

    def __init__(
        self, on_error: Callable[[str, str, str], None], on_device_failure: Callable[[str], None]
    ) -> None:
        self.disabled: set[str] = set()
        self.stopped_by_device: set[str] = set()  # off because the device failed: not nndoctor's error
        self._on_error = on_error
        self._on_device_failure = on_device_failure

    def enabled(self, probe: str) -> bool:
        return probe not in self.disabled

    def disable(self, probe: str, error: BaseException) -> None:
        self.disabled.add(probe)
        message = error_line(error)  # the traceback keeps it all
        if is_device_failure(error):
            self.stopped_by_device.add(probe)
            self._on_device_failure(message)
        else:
            self._on_error(probe, message, traceback.format_exc())

    def guard(self, probe: str, function: Callable[..., Any], *args: Any) -> Any:
        """Call `function(*args)` unless the probe is off; on an exception switch it off, return None."""
        if probe in self.disabled:
            return None
        try:
            return function(*args)
        except Exception as error:  # nndoctor's own failure: never the user's
            self.disable(probe, error)
            return None
