"""Fit a noisy 1-D nonlinear function (y = sin(3x) + 0.3x^2 + noise) with an MLP and SGD
with momentum, using ReduceLROnPlateau on the validation loss to cut the LR when it stalls."""
# fault: none
# shows:

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

x = torch.rand(2000, 1) * 4 - 2
y = torch.sin(3 * x) + 0.3 * x**2 + 0.1 * torch.randn_like(x)
train_ds = TensorDataset(x[:1600], y[:1600])
x_val, y_val = x[1600:], y[1600:]
loader = DataLoader(train_ds, batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(1, 64),
    nn.Tanh(),
    nn.Linear(64, 64),
    nn.Tanh(),
    nn.Linear(64, 1),
)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.3, patience=2)

for epoch in range(40):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()

    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(x_val), y_val).item()
    scheduler.step(val_loss)
    if epoch % 4 == 3:
        print(f"epoch {epoch + 1:2d}  val mse {val_loss:.4f}  lr {optimizer.param_groups[0]['lr']:.4g}")
