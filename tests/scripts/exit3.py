"""Trains a little, then ends with sys.exit(3)."""

import sys

from tiny import train

if __name__ == "__main__":
    train(10)
    print("giving up with status 3")
    sys.exit(3)
