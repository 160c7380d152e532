"""Contour lines lie on their level: f(x, y) equals the line's level at every point (up to grid interpolation)."""
import numpy as np
import pytest

from core.contours import contour_levels, contour_lines
from core.surfaces import SURFACES


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_points_lie_on_their_level(name):
    surface = SURFACES[name]
    lines = contour_lines(surface, n_levels=8, resolution=150)
    assert len(lines.x) > 0
    values = surface.f(lines.x, lines.y)
    span = lines.levels.max() - lines.f_min
    assert np.median(np.abs(values - lines.level)) < 0.02 * span


def test_log_levels_are_geometric_in_f_minus_min():
    levels = contour_levels(1.0, 1001.0, 4, log=True)
    gaps = levels - 1.0
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], gaps[1] / gaps[0])
    assert np.all(np.diff(contour_levels(0.0, 10.0, 5, log=False)) > 0)


def test_limits_hold():
    lines = contour_lines(SURFACES["quadratic"], n_levels=10_000, resolution=10_000)
    assert len(lines.levels) <= 40
