"""Sends itself a signal (argv[1]: INT or TERM) in the middle of training."""

import os
import signal
import sys
import time

from tiny import train


def maybe_signal(step: int) -> None:
    if step == 5:
        print(f"sending SIG{sys.argv[1]} at step {step}", flush=True)
        os.kill(os.getpid(), getattr(signal, f"SIG{sys.argv[1]}"))
        for _ in range(500):  # the handler runs here, at the latest
            time.sleep(0.01)


if __name__ == "__main__":
    # a Ctrl-C raises KeyboardInterrupt even where this test runs with SIGINT ignored (a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    train(20, on_step=maybe_signal)
    print("the signal did not stop the script")
    sys.exit(99)
