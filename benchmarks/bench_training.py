"""Speed of core.training, printed as a plain table (run from the repo root: python benchmarks/bench_training.py).

1. ``Trainer`` against a bare PyTorch loop (same model, data, batch size, Adam; one thread): the bare loop only
   trains, ``Trainer`` also evaluates train + val loss/accuracy and gradient norms after every epoch.
   Throughput ratio = bare time / our time (target ≥ 0.9× at batch size 32).
2. ``train_many`` with 8 configs (8 learning rates and seeds, one architecture) against ``train`` one by one,
   full batch and batch size 32 (targets ≥ 3× and ≥ 6×).
3. Time for the default config to reach 95 % validation accuracy on the spiral.
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from core import nets  # noqa: E402
from core.training import TrainConfig, Trainer, train, train_many  # noqa: E402

REPEATS = 3


def bare_loop_seconds(cfg, epochs):
    """The plain loop everyone writes: shuffle, zero_grad, forward, cross-entropy, backward, step."""
    trainer = Trainer(cfg)  # only for the same data tensors
    X, y = trainer.X_train, trainer.y_train
    model = nets.build_mlp(X.shape[1], cfg.hidden, 2, cfg.activation, seed=cfg.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    generator = torch.Generator().manual_seed(cfg.seed + 1)
    start = time.perf_counter()
    for _ in range(epochs):
        batches = [slice(None)] if cfg.batch_size == 0 else torch.randperm(len(y), generator=generator).split(
            cfg.batch_size)
        for idx in batches:
            optimizer.zero_grad()
            F.cross_entropy(model(X[idx]), y[idx]).backward()
            optimizer.step()
    return time.perf_counter() - start


def trainer_seconds(cfg, epochs):
    trainer = Trainer(cfg)
    start = time.perf_counter()
    trainer.step(epochs)
    return time.perf_counter() - start


def best_of(function, *args):
    return min(function(*args) for _ in range(REPEATS))


def main():
    torch.set_num_threads(1)
    rows = []
    for batch_size, epochs, target in ((32, 200, "≥ 0.9×"), (0, 1000, "(info)")):
        cfg = TrainConfig(batch_size=batch_size, epochs=epochs)
        bare, ours = [], []
        for _ in range(REPEATS):  # interleaved, so a busy machine hurts both alike
            bare.append(bare_loop_seconds(cfg, epochs))
            ours.append(trainer_seconds(cfg, epochs))
        label = f"batch {batch_size}" if batch_size else "full batch"
        rows.append((f"train vs bare loop, {label}, {epochs} epochs", f"{min(ours):.3f} s", f"{min(bare):.3f} s",
                     f"{min(bare) / min(ours):.2f}×", target))

    for batch_size, epochs, target in ((0, 300, "≥ 3×"), (32, 60, "≥ 6×")):
        configs = [TrainConfig(batch_size=batch_size, epochs=epochs, lr=float(lr), seed=seed)
                   for seed, lr in enumerate(np.geomspace(0.003, 0.1, 8))]
        start = time.perf_counter()
        for config in configs:
            train(config)
        one_by_one = time.perf_counter() - start
        start = time.perf_counter()
        train_many(configs)
        together = time.perf_counter() - start
        label = f"batch {batch_size}" if batch_size else "full batch"
        rows.append((f"train_many 8 configs, {label}, {epochs} epochs", f"{together:.3f} s", f"{one_by_one:.3f} s",
                     f"{one_by_one / together:.2f}×", target))

    start = time.perf_counter()
    trainer = Trainer(TrainConfig())
    while not trainer.done and (not trainer.history.val_acc or trainer.history.val_acc[-1] < 0.95):
        trainer.step(1)
    wall = time.perf_counter() - start
    h = trainer.history
    reached = h.val_acc and h.val_acc[-1] >= 0.95
    rows.append(("defaults reach 95 % val acc on spiral", f"{wall:.3f} s" if reached else "not reached",
                 f"epoch {h.n_epochs}", f"{h.elapsed[-1]:.3f} s training", ""))

    header = ("measure", "ours", "reference", "ratio / note", "target")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
