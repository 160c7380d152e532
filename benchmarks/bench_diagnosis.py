"""Time core.diagnosis.diagnose (and smooth, parse_curves) on noisy logs of 1k, 10k and 100k points.

Run from the repository root:  python benchmarks/bench_diagnosis.py
The spec: diagnose on a 100 000-point log takes ≤ 50 ms.
"""
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from core.curves_io import parse_curves  # noqa: E402
from core.diagnosis import diagnose, smooth  # noqa: E402

BUDGET_MS = 50.0


def _curves(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Overfitting-shaped log: noisy train decay, U-shaped val."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n)
    train = (2.3 * np.exp(-5 * t) + 0.02) * np.exp(0.2 * rng.standard_normal(n))
    val = (0.4 + 1.9 * np.exp(-8 * t) + 0.6 * np.clip(t - 0.35, 0, None)) * np.exp(0.05 * rng.standard_normal(n))
    return train, val


def _time_ms(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), float(np.min(times))


def main() -> None:
    rows = []
    for n in (1_000, 10_000, 100_000):
        train, val = _curves(n)
        med, best = _time_ms(lambda train=train, val=val: diagnose(train, val), repeat=30)
        case = diagnose(train, val)
        ema, _ = _time_ms(lambda train=train: smooth(train, "ema", 0.9), repeat=10)
        rows.append((n, med, best, case.case, case.confidence, ema))
    csv = "step,train_loss,val_loss\n" + "".join(f"{i},{a:.6f},{b:.6f}\n" for i, (a, b) in
                                                  enumerate(zip(*_curves(100_000))))
    parse_med, _ = _time_ms(lambda: parse_curves(csv.encode()), repeat=3)

    print(f"{'points':>8} | {'diagnose median ms':>18} | {'best ms':>7} | {'case':<12} | {'conf':>4} | "
          f"{'smooth(ema) ms':>14}")
    print("-" * 81)
    for n, med, best, case, conf, ema in rows:
        print(f"{n:>8,} | {med:>18.2f} | {best:>7.2f} | {case:<12} | {conf:>4.2f} | {ema:>14.2f}")
    print(f"\nparse_curves on a 100,000-row CSV ({len(csv) / 1e6:.1f} MB): {parse_med:.0f} ms")
    ok = rows[-1][1] <= BUDGET_MS
    print(f"diagnose on 100,000 points: {rows[-1][1]:.1f} ms (budget {BUDGET_MS:.0f} ms): {'OK' if ok else 'OVER'}")


if __name__ == "__main__":
    main()
