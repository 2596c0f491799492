"""Full-batch gradient descent for a hand-written linear regression (raw w and b tensors)
on synthetic features of different scales; lr=0.115 is above the stability limit set by the
largest-scale feature (2 / the top eigenvalue of 2 X^T X / n, 0.088 to 0.111 over random draws of
these features), so after a brief dip the loss climbs steadily (but stays finite in 80 steps)."""
# fault: lr-too-high
# shows: loss-diverging

import torch

torch.manual_seed(0)

n_samples = 1000
feature_scales = torch.tensor([1.0, 1.5, 2.0, 3.2])
X = torch.randn(n_samples, 4) * feature_scales
true_w = torch.tensor([0.5, -1.0, 2.0, 0.3])
y = X @ true_w + 1.5 + 0.1 * torch.randn(n_samples)

w = torch.zeros(4, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=0.115)

for epoch in range(80):
    optimizer.zero_grad()
    pred = X @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0 or epoch == 79:
        print(f"epoch {epoch:3d}  mse {loss.item():.6g}")

print("learned w:", w.detach().numpy().round(3), "b:", round(b.item(), 3))
