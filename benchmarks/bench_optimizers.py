"""Optimizer engine vs a torch.optim loop producing the same trajectories, and the basin-map budget.

Run from the repo root:  python benchmarks/bench_optimizers.py
Prints a plain table: best-of-N wall times, the speedup, and the largest |engine − torch| difference.
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core.optimizers import OPTIMIZERS, basin_map, default_lr, resolve_hparams, trajectories, trajectory  # noqa: E402
from core.surfaces import SURFACES  # noqa: E402

torch.set_num_threads(1)

SURFACE = SURFACES["himmelblau"]
TORCH_F = lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2  # noqa: E731
NAMES = list(OPTIMIZERS)


def torch_loop(name, start, steps):
    """What a reader would write: one torch.optim loop per trajectory, autograd for the gradient."""
    spec = OPTIMIZERS[name]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, spec.torch_class)([p], lr=default_lr(name, SURFACE), **resolve_hparams(name))
    path = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        TORCH_F(p[0], p[1]).backward()
        opt.step()
        path.append(p.detach().clone())
    return torch.stack(path).numpy()


def best_of(fn, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    rows = []
    steps = 300
    start = SURFACE.default_start

    # one trajectory per optimizer
    for name in NAMES:
        t_eng, run = best_of(lambda name=name: trajectory(name, SURFACE, start, steps), 20)
        t_ref, ref = best_of(lambda name=name: torch_loop(name, start, steps), 3)
        rows.append((f"single {name}, {steps} steps", t_eng, t_ref, np.max(np.abs(run.path - ref))))

    # 6 optimizers at once from one start (few runs: float engine run by run)
    t_eng, res = best_of(lambda: trajectories(NAMES, SURFACE, start, steps), 10)
    t_ref, refs = best_of(lambda: [torch_loop(n, start, steps) for n in NAMES], 2)
    rows.append((f"6 optimizers x 1 start, {steps} steps", t_eng, t_ref,
                 max(np.max(np.abs(res.paths[i] - refs[i])) for i in range(6))))

    # 6 optimizers x 64 starts (numpy engine); torch timed on 4 starts per optimizer, scaled ×16
    rng = np.random.default_rng(0)
    starts = rng.uniform(-4.5, 4.5, (64, 2))
    t_eng, res = best_of(lambda: trajectories(NAMES, SURFACE, starts, steps), 5)
    t_ref, refs = best_of(lambda: [torch_loop(n, tuple(s), steps) for n in NAMES for s in starts[:4]], 1)
    diff = max(np.nanmax(np.abs(res.paths[i * 64 + j] - refs[i * 4 + j])) for i in range(6) for j in range(4))
    rows.append((f"6 optimizers x 64 starts, {steps} steps *", t_eng, t_ref * 16, diff))

    print(f"{'case':44s} {'engine ms':>10s} {'torch ms':>10s} {'speedup':>8s} {'max |diff|':>11s}")
    for case, te, tr, d in rows:
        print(f"{case:44s} {te * 1e3:10.2f} {tr * 1e3:10.1f} {tr / te:7.0f}x {d:11.1e}")
    print("* torch time measured on 4 starts per optimizer (24 loops) and scaled x16")

    # basin map: 64 x 64 starts x 5 optimizers x 300 steps, one vectorized run
    five = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
    basin_map(five, SURFACE, 8, 10)  # warm up
    t_map, labels = best_of(lambda: basin_map(five, SURFACE, 64, 300), 3)
    converged = float(np.mean(labels >= 0))
    print(f"{'basin map 64x64 x 5 optimizers x 300 steps':44s} {t_map * 1e3:10.1f} ms  "
          f"({'within' if t_map <= 1.0 else 'OVER'} the 1 s budget; {converged:.0%} of starts converged)")
    t_rec, _ = best_of(lambda: trajectories(five, SURFACE, np.column_stack(
        [g.ravel() for g in np.meshgrid(np.linspace(-5, 5, 64), np.linspace(-5, 5, 64))]), 300), 3)
    print(f"{'  same, keeping all paths (20480x301x2)':44s} {t_rec * 1e3:10.1f} ms")


if __name__ == "__main__":
    main()
