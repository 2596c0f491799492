"""A small training script with a bug that nndoctor finds: the learning rate is far too high.

A ReLU MLP learns a smooth function of 16 generated inputs (no download) with plain SGD and a mean
squared error loss. At lr=2.5 each update throws the weights further than the last, so the loss
climbs by orders of magnitude and turns NaN within the first few dozen steps; the script, like many,
goes on training anyway. About 0.1 learning rate would train it well.

    nndoctor demo                      # runs this file under nndoctor
    nndoctor run broken_train.py       # the same, for a copy you edit
    python broken_train.py             # without nndoctor
"""

import torch
from torch import nn

LEARNING_RATE = 2.5  # the bug
EPOCHS = 3
BATCH_SIZE = 64


def make_data(samples: int = 2048, features: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and a noisy smooth target of them, the same on every run."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(samples, features, generator=generator)
    direction = torch.randn(features, 1, generator=generator)
    targets = torch.sin(inputs @ direction / 4) + 0.1 * torch.randn(samples, 1, generator=generator)
    return inputs, targets


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # a model this small runs fastest on one thread
    inputs, targets = make_data()
    model = nn.Sequential(
        nn.Linear(16, 64),
        nn.ReLU(),
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, 1),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_function = nn.MSELoss()

    step = 0
    for epoch in range(1, EPOCHS + 1):
        order = torch.randperm(len(inputs))
        for start in range(0, len(inputs), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_function(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            step += 1
            if step in (1, 2, 4, 8) or step % 32 == 0:
                print(f"epoch {epoch}  step {step:3d}  loss {loss.item():.4g}")


if __name__ == "__main__":
    main()
