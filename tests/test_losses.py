"""core.losses against torch, on random inputs and on the lecture note's numbers."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import losses
from core.errors import InputError
from core.parse import format_vector, parse_vector

RNG = np.random.default_rng(0)


def random_distribution(shape):
    weights = RNG.random(shape) + 1e-3
    return weights / weights.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("shape", [(3,), (5,), (4, 3), (16, 10)])
@pytest.mark.parametrize("scale", [1.0, 30.0, 800.0])
def test_softmax_and_log_softmax_match_torch(shape, scale):
    z = RNG.normal(size=shape) * scale
    expected = torch.softmax(torch.tensor(z), dim=-1).numpy()
    np.testing.assert_allclose(losses.softmax(z), expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses.log_softmax(z), torch.log_softmax(torch.tensor(z), -1).numpy(), rtol=1e-12,
                               atol=1e-12)



@pytest.mark.parametrize("temperature", [0.1, 0.5, 2.0, 5.0])
def test_temperature_is_softmax_of_scaled_logits(temperature):
    z = RNG.normal(size=(6,))
    expected = torch.softmax(torch.tensor(z) / temperature, dim=-1).numpy()
    np.testing.assert_allclose(losses.softmax(z, temperature=temperature), expected, rtol=1e-12)



def test_sigmoid_matches_torch_including_extremes():
    z = np.concatenate([RNG.normal(size=50) * 10, [-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    np.testing.assert_allclose(losses.sigmoid(z), torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12, atol=1e-300)



@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_matches_torch_soft_targets(reduction):
    p, q = random_distribution((8, 5)), random_distribution((8, 5))
    expected = F.cross_entropy(torch.log(torch.tensor(q)), torch.tensor(p), reduction=reduction).numpy()
    np.testing.assert_allclose(losses.cross_entropy(p, q, reduction=reduction), expected, rtol=1e-12)



def test_cross_entropy_with_one_hot_labels_is_nll_loss():
    q = random_distribution((10, 4))
    labels = RNG.integers(0, 4, size=10)
    p = np.eye(4)[labels]
    expected = F.nll_loss(torch.log(torch.tensor(q)), torch.tensor(labels)).item()
    assert losses.cross_entropy(p, q) == pytest.approx(expected, rel=1e-12)



@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_binary_cross_entropy_matches_torch(reduction):
    y = RNG.integers(0, 2, size=20).astype(float)
    y_hat = np.clip(RNG.random(20), 0.0, 1.0)
    y_hat[:2] = [0.0, 1.0]  # torch clamps the log at −100; so do we
    expected = F.binary_cross_entropy(torch.tensor(y_hat), torch.tensor(y), reduction=reduction).numpy()
    np.testing.assert_allclose(losses.binary_cross_entropy(y, y_hat, reduction=reduction), expected, rtol=1e-12)



def test_binary_cross_entropy_is_two_class_cross_entropy():
    y, y_hat = 1.0, 0.7
    assert losses.binary_cross_entropy(y, y_hat) == pytest.approx(losses.cross_entropy((y, 1 - y), (y_hat, 1 - y_hat)))



@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_mse_matches_torch(reduction):
    y, y_hat = RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3))
    expected = F.mse_loss(torch.tensor(y_hat), torch.tensor(y), reduction=reduction).numpy()
    np.testing.assert_allclose(losses.mse(y, y_hat, reduction=reduction), expected, rtol=1e-12)



@pytest.mark.parametrize("shape", [(4,), (7, 4)])
def test_softmax_cross_entropy_grad_matches_autograd(shape):
    z = RNG.normal(size=shape) * 3
    p = random_distribution(shape)
    z_t = torch.tensor(z, requires_grad=True)
    F.cross_entropy(z_t.reshape(-1, shape[-1]), torch.tensor(p).reshape(-1, shape[-1]), reduction="sum").backward()
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(z, p), z_t.grad.numpy(), rtol=1e-10, atol=1e-14)



@pytest.mark.parametrize("bad, code", [
    ((0.5, 0.6, 0.1), "not_sum_one"),
    ((1.2, -0.2, 0.0), "negative"),
    ((float("nan"), 0.5, 0.5), "nan"),
    ((float("inf"), 0.0, 0.0), "inf"),
    ((), "empty"),
    ([[[1.0]]], "bad_shape"),
    (("a", "b"), "not_numbers"),
])
def test_bad_distributions_raise_input_error_with_a_code(bad, code):
    with pytest.raises(InputError) as raised:
        losses.cross_entropy(bad, (1 / 3, 1 / 3, 1 / 3))
    assert raised.value.code == code



def test_shape_mismatch_and_bad_reduction():
    with pytest.raises(InputError):
        losses.cross_entropy((1.0, 0.0), (0.2, 0.3, 0.5))
    with pytest.raises(ValueError):
        losses.cross_entropy(np.eye(3), np.eye(3), reduction="max")
    with pytest.raises(ValueError):
        losses.softmax((1.0, 2.0), temperature=0.0)



def test_normalize():
    np.testing.assert_allclose(losses.normalize((2.0, 1.0, 1.0)), (0.5, 0.25, 0.25))
    with pytest.raises(InputError):
        losses.normalize((0.0, -1.0))



@pytest.mark.parametrize("text, expected", [("0.5, 0.2, 0.3", (0.5, 0.2, 0.3)), ("1 0 0", (1, 0, 0)),
                                            ("0.5，0.5", (0.5, 0.5)), (" 1;2 ", (1, 2))])
def test_parse_vector_accepts(text, expected):
    np.testing.assert_allclose(parse_vector(text), expected)



@pytest.mark.parametrize("text, code", [("", "no_numbers"), ("a, b", "not_a_number"), ("nan, 1", "not_finite"),
                                        ("1e999", "not_finite"), ("1," * 200, "too_long"),
                                        ("__import__('os')", "not_a_number")])
def test_parse_vector_refuses(text, code):
    with pytest.raises(InputError) as raised:
        parse_vector(text)
    assert raised.value.code == code
    with pytest.raises(InputError):
        parse_vector("1, 2", length=3)



def test_format_vector_round_trips():
    np.testing.assert_allclose(parse_vector(format_vector((0.5, 0.25, 0.25))), (0.5, 0.25, 0.25))
