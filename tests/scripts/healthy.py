"""Trains a tiny model for a few steps and ends normally."""

from tiny import train

if __name__ == "__main__":
    loss = train(40)
    print(f"healthy done, loss {loss:.3f}")
