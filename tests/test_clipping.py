"""core.clipping against torch.nn.utils.clip_grad_value_ / clip_grad_norm_, and the 2-D demo."""
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core import clipping

SHAPES = [(3, 4), (4,), (2, 2, 3), (1,)]


def random_grads(seed, scale, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(shape)).astype(dtype) for shape in SHAPES]


def torch_params(grads):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype))
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    return params


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale, max_norm", [(0.01, 1.0), (3.0, 1.0), (3.0, 0.05), (100.0, 7.5)])
def test_clip_by_norm_equals_torch(scale, max_norm, dtype):
    grads = random_grads(int(scale * 100), scale, dtype)
    params = torch_params(grads)
    torch_norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    clipped, norm = clipping.clip_by_norm(grads, max_norm)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert norm == pytest.approx(float(torch_norm), rel=rtol)
    for ours, p in zip(clipped, params):
        assert ours.dtype == dtype
        np.testing.assert_allclose(ours, p.grad.numpy(), rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale, clip_value", [(0.01, 1.0), (3.0, 1.0), (3.0, 0.05), (100.0, 7.5)])
def test_clip_by_value_equals_torch(scale, clip_value, dtype):
    grads = random_grads(int(scale * 100) + 1, scale, dtype)
    params = torch_params(grads)
    torch.nn.utils.clip_grad_value_(params, clip_value)
    total = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    clipped, norm = clipping.clip_by_value(grads, clip_value)
    assert norm == pytest.approx(total, rel=1e-12)
    for ours, p in zip(clipped, params):
        np.testing.assert_array_equal(ours, p.grad.numpy())
        assert np.abs(ours).max() <= clip_value


def test_inputs_are_not_changed_and_a_single_array_is_accepted():
    grads = random_grads(0, 10.0)
    before = [g.copy() for g in grads]
    clipping.clip_by_norm(grads, 1.0)
    clipping.clip_by_value(grads, 1.0)
    for g, b in zip(grads, before):
        np.testing.assert_array_equal(g, b)
    (single,), norm = clipping.clip_by_norm(np.array([3.0, 4.0]), 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(single, [0.6, 0.8], rtol=1e-6)


def test_norm_clipping_never_grows_a_small_gradient():
    (g,), norm = clipping.clip_by_norm([np.array([0.3, -0.4])], 1.0)
    np.testing.assert_array_equal(g, [0.3, -0.4])
    assert norm == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1", True, None])
def test_bad_thresholds_raise(bad):
    with pytest.raises(ValueError):
        clipping.clip_by_norm([np.ones(2)], bad)
    with pytest.raises(ValueError):
        clipping.clip_by_value([np.ones(2)], bad)
    with pytest.raises(ValueError):
        clipping.vector_demo(1.0, 1.0, bad)


def test_empty_gradient_raises():
    with pytest.raises(ValueError):
        clipping.clip_by_norm([], 1.0)


def test_vector_demo_value_clipping_turns_norm_clipping_keeps_direction():
    demo = clipping.vector_demo(3.0, 1.0, 1.0)
    assert demo.by_value == (1.0, 1.0)
    assert demo.angle_by_value == pytest.approx(45.0)
    assert demo.angle == pytest.approx(math.degrees(math.atan2(1, 3)))
    assert demo.turn_by_value == pytest.approx(45.0 - demo.angle)
    assert demo.turn_by_norm == pytest.approx(0.0, abs=1e-6)
    assert demo.angle_by_norm == pytest.approx(demo.angle)
    assert demo.norm_by_norm == pytest.approx(1.0, rel=1e-5)
    assert demo.value_clipped and demo.norm_clipped
    # the same numbers as torch on a 2-vector parameter
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([3.0, 1.0], dtype=torch.float64)
    torch.nn.utils.clip_grad_norm_([p], 1.0)
    np.testing.assert_allclose(demo.by_norm, p.grad.numpy(), rtol=1e-12)


def test_vector_demo_inside_and_zero():
    inside = clipping.vector_demo(0.2, -0.3, 1.0)
    assert inside.by_value == inside.g == inside.by_norm
    assert not inside.value_clipped and not inside.norm_clipped
    zero = clipping.vector_demo(0.0, 0.0, 1.0)
    assert zero.angle is None and zero.turn_by_value == 0.0 and zero.norm == 0.0
    diagonal = clipping.vector_demo(4.0, 4.0, 1.0)
    assert diagonal.turn_by_value == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("gx, gy", [(float("nan"), 0.0), (0.0, float("inf")), (2e6, 0.0), ("3", 1.0), (None, 1)])
def test_vector_demo_rejects_bad_components(gx, gy):
    with pytest.raises(ValueError):
        clipping.vector_demo(gx, gy, 1.0)


def test_clipping_module_never_imports_torch():
    code = "import sys, core.clipping; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).resolve().parent.parent))
