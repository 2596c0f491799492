"""Crashes with its own exception in the middle of training."""

from tiny import train


def check_batch(step: int) -> None:
    if step == 5:
        raise ValueError(f"bad batch at step {step}")


if __name__ == "__main__":
    print("training starts")
    train(20, on_step=check_batch)
