"""Sequence-to-one regression with an LSTM on the classic "adding problem": each sequence has
20 steps of (value, marker); the target is the sum of the two values whose marker is 1.
Adam with gradient-norm clipping at 1.0 (a common safety habit for recurrent nets); the
validation MSE is compared with the predict-the-mean baseline. As usual for this task the loss
sits near the baseline for the first few epochs before the LSTM learns to use the markers."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SEQ_LEN = 20


def make_adding_data(n):
    values = torch.rand(n, SEQ_LEN)
    markers = torch.zeros(n, SEQ_LEN)
    # one marked position in the first half, one in the second half
    first = torch.randint(0, SEQ_LEN // 2, (n,))
    second = torch.randint(SEQ_LEN // 2, SEQ_LEN, (n,))
    markers[torch.arange(n), first] = 1.0
    markers[torch.arange(n), second] = 1.0
    x = torch.stack([values, markers], dim=2)  # (n, T, 2)
    y = (values * markers).sum(dim=1, keepdim=True)  # (n, 1), in [0, 2]
    return x, y


X_train, y_train = make_adding_data(4000)
X_val, y_val = make_adding_data(1000)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class AddingLSTM(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(input_size=2, hidden_size=hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.out(h_n[-1])


model = AddingLSTM()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.MSELoss()
baseline_mse = ((y_val - y_train.mean()) ** 2).mean().item()
print(f"baseline (predict mean) val MSE {baseline_mse:.4f}")

for epoch in range(8):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item() * len(xb)

    model.eval()
    with torch.no_grad():
        val_mse = criterion(model(X_val), y_val).item()
    print(
        f"epoch {epoch + 1}  train MSE {total / len(X_train):.4f}  val MSE {val_mse:.4f}  "
        f"val R^2 {1 - val_mse / baseline_mse:.3f}"
    )
