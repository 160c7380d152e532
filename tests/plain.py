"""Is a view's result plain data (numbers, strings, numpy arrays, dataclasses and containers of them), never a torch
model or tensor? A page caches every result, and a cached result must never hold a model."""
import dataclasses

import numpy as np
import torch


def is_plain(value) -> bool:
    if isinstance(value, (torch.Tensor, torch.nn.Module)):
        return False
    if dataclasses.is_dataclass(value):
        return all(is_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (tuple, list)):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(is_plain(v) for v in value.values())
    return isinstance(value, (np.ndarray, np.generic, int, float, str, bool, type(None)))


def assert_plain(value, path="result") -> None:
    """Every leaf of a result: numbers, strings, None and numpy arrays only (never a torch object)."""
    if isinstance(value, (int, float, str, bool, type(None), np.integer, np.floating, np.bool_)):
        return
    if isinstance(value, np.ndarray):
        assert value.dtype != object, path
        return
    if isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            assert_plain(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            assert_plain(key, f"{path} key")
            assert_plain(item, f"{path}[{key!r}]")
        return
    assert hasattr(value, "__dataclass_fields__"), f"{path}: {type(value).__name__}"
    for name in value.__dataclass_fields__:
        assert_plain(getattr(value, name), f"{path}.{name}")
