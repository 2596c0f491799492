"""Rating prediction for a small recommender: user and item ids are looked up in sparse
nn.Embedding tables (sparse=True), concatenated and passed through an MLP that predicts the rating.
As usual for this setup there are two optimizers: torch.optim.SparseAdam for the embedding tables
and Adam for the dense MLP; both are zeroed and stepped every batch. Ratings come from a hidden
low-rank user-item model plus noise; the validation RMSE is compared with the predict-the-mean
baseline and with the noise floor."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

N_USERS, N_ITEMS, TRUE_RANK, NOISE = 400, 300, 4, 0.3

# hidden "true" preferences
user_f = torch.randn(N_USERS, TRUE_RANK)
item_f = torch.randn(N_ITEMS, TRUE_RANK)
user_bias = 0.5 * torch.randn(N_USERS)
item_bias = 0.5 * torch.randn(N_ITEMS)


def sample_ratings(n):
    users = torch.randint(0, N_USERS, (n,))
    items = torch.randint(0, N_ITEMS, (n,))
    score = (user_f[users] * item_f[items]).sum(1) / TRUE_RANK**0.5 + user_bias[users] + item_bias[items]
    rating = 3.0 + score + NOISE * torch.randn(n)
    return users, items, rating


u_tr, i_tr, r_tr = sample_ratings(30000)
u_va, i_va, r_va = sample_ratings(5000)
train_loader = DataLoader(TensorDataset(u_tr, i_tr, r_tr), batch_size=256, shuffle=True)


class RatingModel(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.user_emb = nn.Embedding(N_USERS, dim, sparse=True)
        self.item_emb = nn.Embedding(N_ITEMS, dim, sparse=True)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1)
        )
        self.global_mean = 3.0

    def forward(self, users, items):
        h = torch.cat([self.user_emb(users), self.item_emb(items)], dim=1)
        return self.mlp(h).squeeze(1) + self.global_mean


model = RatingModel()
sparse_params = [model.user_emb.weight, model.item_emb.weight]
dense_params = list(model.mlp.parameters())
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=2e-2)
opt_dense = torch.optim.Adam(dense_params, lr=2e-3)
criterion = nn.MSELoss()

baseline_rmse = ((r_va - r_tr.mean()) ** 2).mean().sqrt().item()
print(f"baseline (global mean) val RMSE {baseline_rmse:.3f}, noise floor {NOISE:.3f}")

for epoch in range(10):
    model.train()
    total = 0.0
    for users, items, ratings in train_loader:
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss = criterion(model(users, items), ratings)
        loss.backward()
        opt_sparse.step()
        opt_dense.step()
        total += loss.item() * len(ratings)

    model.eval()
    with torch.no_grad():
        val_rmse = criterion(model(u_va, i_va), r_va).sqrt().item()
    print(f"epoch {epoch + 1}  train MSE {total / len(r_tr):.4f}  val RMSE {val_rmse:.3f}")
