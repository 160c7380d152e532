"""Contour lines of a 2-D surface, ready to draw: (level, line id, x, y) rows from contourpy.

numpy and contourpy only, so the optimizer pages stay free of torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import contourpy
import numpy as np

if TYPE_CHECKING:
    from core.surfaces import Surface

MAX_RESOLUTION = 200
MAX_LEVELS = 40


@dataclass(frozen=True)
class ContourLines:
    level: np.ndarray  # f value of each point's line
    line: np.ndarray  # which line a point belongs to (lines never join across ids)
    order: np.ndarray  # position of the point along its line
    x: np.ndarray
    y: np.ndarray
    levels: np.ndarray  # the levels drawn
    f_min: float  # smallest f on the grid


def contour_levels(f_min: float, f_max: float, n_levels: int, log: bool) -> np.ndarray:
    """Levels between the grid's min and max: evenly spaced, or log-spaced in f − f_min (each level a constant factor
    above the last, so the valley floor of Rosenbrock gets lines and its walls are not a solid block)."""
    if log:
        span = max(f_max - f_min, 1e-12)
        # f_min + span · 10^t for t evenly spaced in [−4, 0]
        return f_min + span * np.logspace(-4, 0, n_levels, endpoint=False)
    return np.linspace(f_min, f_max, n_levels + 2)[1:-1]


def contour_lines(surface: Surface, n_levels: int = 14, resolution: int = 90, log: bool | None = None,
                  clip_quantile: float = 0.95) -> ContourLines:
    """Contour lines of ``surface.f`` on its plot box.

    The top of the level range is the ``clip_quantile`` of f on the grid, so a few huge values at a corner (Beale
    reaches 10⁵) do not push every level up there. ``log`` defaults to the surface's own ``log_levels`` hint.
    """
    resolution = int(min(max(resolution, 10), MAX_RESOLUTION))
    n_levels = int(min(max(n_levels, 1), MAX_LEVELS))
    xs = np.linspace(*surface.x_range, resolution)
    ys = np.linspace(*surface.y_range, resolution)
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = np.asarray(surface.f(gx, gy), dtype=np.float64)
    z = np.where(np.isfinite(z), z, np.nan)
    f_min = float(np.nanmin(z))
    f_top = float(np.nanquantile(z, clip_quantile))
    levels = contour_levels(f_min, f_top, n_levels, surface.log_levels if log is None else log)
    generator = contourpy.contour_generator(xs, ys, z, line_type=contourpy.LineType.Separate)
    rows_level, rows_line, rows_order, rows_x, rows_y = [], [], [], [], []
    line_id = 0
    for level in levels:
        for points in generator.lines(level):
            n = len(points)
            rows_level.append(np.full(n, level))
            rows_line.append(np.full(n, line_id))
            rows_order.append(np.arange(n))
            rows_x.append(points[:, 0])
            rows_y.append(points[:, 1])
            line_id += 1
    if not rows_x:
        empty = np.empty(0)
        return ContourLines(empty, empty.astype(int), empty.astype(int), empty, empty, levels, f_min)
    return ContourLines(level=np.concatenate(rows_level), line=np.concatenate(rows_line),
                        order=np.concatenate(rows_order), x=np.concatenate(rows_x), y=np.concatenate(rows_y),
                        levels=levels, f_min=f_min)
