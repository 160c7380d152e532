"""core.training: the training loop against a hand-written PyTorch loop, stop rules, limits, train_many, export."""
import csv
import io
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import data as D
from core import nets
from core import training as T
from core.training import TrainConfig

torch.set_num_threads(1)  # small nets, shared cores
SMALL = dict(n_samples=200, epochs=12)


def hand_written_epoch(cfg):
    """One epoch written out in plain PyTorch: data, split, features, standardisation, model, optimizer, batches."""
    X, y = D.make_dataset(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed)
    Xt, yt, Xv, yv = D.train_val_split(X, y, cfg.val_fraction, cfg.seed)
    Zt, Zv, _, _ = D.standardize(D.add_features(Xt, cfg.features), D.add_features(Xv, cfg.features))
    model = nets.build_mlp(Zt.shape[1], cfg.hidden, 2, cfg.activation, cfg.init, cfg.norm, cfg.residual, seed=cfg.seed)
    params = model.parameters()
    optimizer = {
        "adam": lambda: torch.optim.Adam(params, lr=cfg.lr),
        "momentum": lambda: torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=cfg.lr, alpha=cfg.alpha, eps=cfg.eps),
    }[cfg.optimizer]()
    X_train, y_train = torch.from_numpy(Zt), torch.from_numpy(yt)
    n = len(yt)
    generator = torch.Generator().manual_seed(cfg.seed + 1)
    batches = [torch.arange(n)] if cfg.batch_size == 0 else torch.randperm(n, generator=generator).split(cfg.batch_size)
    model.train()
    for idx in batches:
        optimizer.zero_grad()
        logits = model(X_train[idx])
        if cfg.loss == "ce":
            loss = F.cross_entropy(logits, y_train[idx])
        else:  # Brier score: Σ_k (p_k − onehot_k)² averaged over the batch
            loss = F.mse_loss(logits.softmax(1), F.one_hot(y_train[idx], 2).float(), reduction="sum") / len(idx)
        for layer in model.linears():
            loss = loss + cfg.l1 * layer.weight.abs().sum() + cfg.l2 * (layer.weight ** 2).sum()
        loss.backward()
        if cfg.clip == "value":
            torch.nn.utils.clip_grad_value_(model.parameters(), cfg.clip_threshold)
        elif cfg.clip == "norm":
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_threshold)
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = F.cross_entropy(model(torch.from_numpy(Zv)), torch.from_numpy(yv)).item()
    return model, val_loss


@pytest.mark.parametrize("settings", [
    dict(),
    dict(optimizer="momentum", lr=0.05, loss="mse", l1=1e-3, l2=1e-2, clip="value", clip_threshold=0.05,
         batch_size=50, activation="relu", init="he"),
    dict(optimizer="rmsprop", lr=0.01, batch_size=0, clip="norm", clip_threshold=0.5, norm="batch", residual=True,
         hidden=(8, 8), features=("x1sq", "sinx2"), dataset="moons"),
])
def test_one_epoch_equals_a_hand_written_pytorch_loop(settings):
    cfg = TrainConfig(n_samples=300, **settings)
    trainer = T.Trainer(cfg)
    trainer.step(1)
    expected, val_loss = hand_written_epoch(cfg)
    for ours, theirs in zip(trainer.model.state_dict().values(), expected.state_dict().values()):
        assert torch.allclose(ours.float(), theirs.float(), atol=1e-6)
    if cfg.loss == "ce":
        assert math.isclose(trainer.history.val_loss[0], val_loss, rel_tol=1e-6)


def test_defaults_learn_the_spiral():
    history = T.train(TrainConfig())
    assert history.stopped_reason == "max_epochs" and history.n_epochs == TrainConfig().epochs
    assert history.val_acc[-1] >= 0.95
    assert history.train_loss[-1] < history.train_loss[0] / 10


def test_circle_needs_squares_without_hidden_layers():
    base = TrainConfig(dataset="circle", hidden=(), n_samples=300, epochs=60, lr=0.05)
    raw = T.train(base)
    assert max(raw.val_acc) < 0.9
    squares = T.train(base.replace(features=("x1sq", "x2sq")))
    assert squares.val_acc[-1] >= 0.9


@pytest.mark.parametrize("batch_size", [0, 32])
def test_a_huge_learning_rate_diverges_without_an_exception(batch_size):
    cfg = TrainConfig(optimizer="sgd", lr=10, activation="linear", batch_size=batch_size, n_samples=200, epochs=100)
    history = T.train(cfg)
    k = history.diverged_epoch
    assert k is not None and history.stopped_reason == f"diverged at epoch {k}"
    assert history.n_epochs == k < 100 and not math.isfinite(history.train_loss[-1])
    assert all(math.isfinite(v) for v in history.train_loss[:-1])
    assert "diverged" not in T.train(cfg.replace(lr=0.01, epochs=5)).stopped_reason


def _numbers(history):
    return (history.epoch, history.train_loss, history.val_loss, history.train_acc, history.val_acc,
            [list(g) for g in history.grad_norms], history.stopped_reason)


def test_same_seed_same_history():
    cfg = TrainConfig(epochs=15, n_samples=200, norm="batch", l2=1e-3)
    assert _numbers(T.train(cfg)) == _numbers(T.train(cfg))
    assert _numbers(T.train(cfg)) != _numbers(T.train(cfg.replace(seed=1)))


def test_stepwise_equals_one_go_and_maps():
    cfg = TrainConfig(epochs=6, n_samples=200, dataset="blobs", n_classes=4)
    trainer = T.Trainer(cfg)
    assert trainer.step(2) is trainer.history and not trainer.done
    seen = []
    trainer.step(10, callback=lambda h: seen.append(h.n_epochs))
    assert trainer.done and seen == [3, 4, 5, 6]
    assert _numbers(trainer.history) == _numbers(T.train(cfg))
    _, _, grid = D.make_grid(trainer.prepared.raw_train, resolution=9)
    proba = trainer.predict_proba(grid)
    assert proba.shape == (81, 4) and np.allclose(proba.sum(1), 1, atol=1e-5)
    maps = trainer.hidden_unit_maps(grid)
    assert [m.shape for m in maps] == [(81, 16), (81, 16)]


def test_history_to_csv():
    history = T.train(TrainConfig(epochs=4, n_samples=100, hidden=(4,)))
    rows = list(csv.reader(io.StringIO(history.to_csv())))
    assert rows[0] == ["epoch", "train_loss", "val_loss", "train_acc", "val_acc", "elapsed_s", "grad_norm_hidden1",
                       "grad_norm_output"]
    assert len(rows) == 5 and float(rows[4][2]) == history.val_loss[3]
    assert [len(g) for g in history.grad_norms] == [2] * 4


# --- stop rules ------------------------------------------------------------------------------------------------------
def test_converged_stop_rule():
    history = T.train(TrainConfig(dataset="gauss", batch_size=0, epochs=2000, tol=1e-3, tol_window=5, hidden=(4,),
                                  n_samples=100))
    assert history.stopped_reason == "converged" and history.n_epochs < 2000
    L = history.train_loss
    assert abs(L[-1] - L[-6]) < 1e-3 and all(abs(L[t] - L[t - 5]) >= 1e-3 for t in range(5, len(L) - 1))


def test_early_stopping_on_validation_loss():
    history = T.train(TrainConfig(dataset="xor", noise=0.6, n_samples=100, hidden=(64, 64), lr=0.03, epochs=500,
                                  patience=10))
    assert history.stopped_reason == "early_stopping" and history.n_epochs < 500
    assert history.n_epochs - history.best_epoch == 10
    assert history.val_loss[history.best_epoch - 1] == min(history.val_loss)


def test_time_budget():
    history = T.train(TrainConfig(epochs=2000, max_seconds=0.1, n_samples=400))
    assert history.stopped_reason == "time_budget"
    assert history.elapsed[-1] >= 0.1 > history.elapsed[-2]


# --- limits -----------------------------------------------------------------------------------------------------------
def test_limits_hold_against_direct_calls():
    wild = TrainConfig(n_samples=10**6, epochs=10**6, hidden=(1000,) * 20, lr=1e9, max_seconds=1e9, noise=-3,
                       batch_size=-5, patience=-1, val_fraction=0.99, dataset="blobs", n_classes=40, l2=7.0)
    trainer = T.Trainer(wild)
    cfg = trainer.config
    assert (cfg.n_samples, cfg.epochs, cfg.lr, cfg.max_seconds) == (2000, T.MAX_EPOCHS, 10.0, T.MAX_SECONDS)
    assert (cfg.noise, cfg.batch_size, cfg.patience, cfg.val_fraction, cfg.n_classes, cfg.l2) == (0, 0, 0, 0.5, 5, 1)
    assert len(cfg.hidden) == T.MAX_DEPTH and max(cfg.hidden) <= T.MAX_WIDTH
    assert nets.count_parameters(trainer.model)["total"] <= T.MAX_PARAMS
    assert len(trainer.history.notices) >= 10 and all(str(n) for n in trainer.history.notices)
    assert {n.code for n in trainer.history.notices} >= {"clamped", "depth_cut", "widths_shrunk"}
    # the same config, validated: idempotent and hashable (a cache key)
    again, notices = cfg.validated()
    assert again == cfg and notices == [] and hash(again) == hash(cfg)


def test_batch_norm_needs_two_rows_per_batch():
    cfg, notices = TrainConfig(norm="batch", batch_size=1).validated()
    assert cfg.batch_size == 2 and notices[0].params["name"] == "batch_size"
    assert T.train(TrainConfig(norm="batch", batch_size=1, epochs=1, n_samples=20)).n_epochs == 1


def test_deep_networks_need_a_higher_cap():
    deep = TrainConfig(hidden=(8,) * 40, epochs=1, n_samples=100)
    assert len(deep.validated()[0].hidden) == 8
    assert len(deep.validated(max_depth=64)[0].hidden) == 40
    assert T.Trainer(deep, max_depth=64).step(1).n_epochs == 1
    with pytest.raises(ValueError):
        deep.validated(max_depth=65)


@pytest.mark.parametrize("changes", [
    dict(lr="0.1"), dict(lr=float("nan")), dict(epochs=float("inf")), dict(epochs=10.5), dict(activation="swish"),
    dict(optimizer="lbfgs"), dict(dataset="mnist"), dict(features=("x3",)), dict(features="x1sq"),
    dict(hidden="16,16"), dict(hidden=(16, "a")), dict(residual="yes"), dict(device="tpu"), dict(loss="hinge"),
    dict(clip="both"), dict(seed=None), dict(batch_size=True),
])
def test_garbage_raises_value_error(changes):
    with pytest.raises(ValueError):
        T.validate(TrainConfig().replace(**changes))
    with pytest.raises(ValueError):
        T.train(TrainConfig(epochs=1).replace(**changes))


def test_normalisation_of_equivalent_configs():
    cfg, notices = T.validate(TrainConfig(features=["x2sq", "x1sq", "x2sq"], hidden=[16, 16.0], n_classes=4))
    assert cfg.features == ("x1sq", "x2sq") and cfg.hidden == (16, 16) and cfg.n_classes == 2 and notices == []


# --- custom data ----------------------------------------------------------------------------------------------------
def test_training_on_a_students_csv():
    X, y = D.make_dataset("gauss", 120, 0.05, seed=3)
    text = "x1,x2,label\n" + "".join(f"{a},{b},{2 * c - 1}\n" for (a, b), c in zip(X, y))
    data = D.load_csv(text.encode())
    history = T.train(TrainConfig(dataset="custom", epochs=20, hidden=(8,)), data=data)
    assert history.val_acc[-1] >= 0.9
    with pytest.raises(ValueError):
        T.train(TrainConfig(dataset="custom", epochs=1))


# --- train_many -------------------------------------------------------------------------------------------------------
def assert_same_run(ours, theirs, atol=1e-4):
    assert ours.epoch == theirs.epoch and ours.stopped_reason == theirs.stopped_reason
    for name in ("train_loss", "val_loss"):
        assert np.allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-4, atol=atol), name
    for name in ("train_acc", "val_acc"):
        assert np.allclose(getattr(ours, name), getattr(theirs, name), atol=0.02), name
    assert np.allclose(np.array(ours.grad_norms), np.array(theirs.grad_norms), rtol=1e-3, atol=atol)
    for a, b in zip(ours.model.state_dict().values(), theirs.model.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), rtol=1e-4, atol=atol)


def test_train_many_equals_one_by_one(monkeypatch):
    base = TrainConfig(**SMALL)
    configs = [
        base.replace(lr=0.01, seed=0),
        base.replace(lr=0.02, seed=1, l2=1e-3, init="he", beta1=0.8),
        base.replace(lr=0.005, seed=2, dataset="moons", l1=1e-4, epochs=8, patience=3),
        base.replace(lr=0.01, seed=3, features=("x1sq", "x2sq"), hidden=(16, 16)),  # other in_features: alone
        base.replace(optimizer="momentum", lr=0.05, momentum=0.8, seed=3),
        base.replace(optimizer="momentum", lr=0.1, seed=4, dataset="xor", noise=0.2),
        base.replace(optimizer="rmsprop", lr=0.003, seed=5),
        base.replace(optimizer="adagrad", lr=0.05, seed=6, hidden=(8,)),
    ]
    stacked = []
    original = T._train_stacked
    monkeypatch.setattr(T, "_train_stacked", lambda trainers, cb=None: (stacked.append(len(trainers)),
                                                                          original(trainers, cb)))
    together = T.train_many(configs)
    assert sorted(stacked) == [2, 3]
    for ours, config in zip(together, configs):
        assert_same_run(ours, T.train(config))


@pytest.mark.parametrize("settings", [
    dict(norm="batch", residual=True, batch_size=53, clip="value"),  # 160 = 3·53 + 1: the single row is dropped
    dict(norm="layer", residual=True, batch_size=0, clip="norm", loss="mse", optimizer="nesterov", lr=0.1),
    dict(activation="sigmoid", optimizer="adagrad", lr=0.1, l1=1e-3, init="xavier"),
])
def test_train_many_with_norms_clipping_and_other_optimizers(settings):
    base = TrainConfig(**SMALL, **settings)
    configs = [base.replace(seed=s, lr=base.lr * (1 + s / 4), clip_threshold=0.1 * (s + 1)) for s in range(3)]
    for ours, config in zip(T.train_many(configs), configs):
        assert_same_run(ours, T.train(config))


def test_a_diverging_run_does_not_spoil_its_stack():
    base = TrainConfig(optimizer="sgd", activation="linear", batch_size=0, n_samples=200, epochs=20)
    configs = [base.replace(lr=0.01), base.replace(lr=10.0, seed=1), base.replace(lr=0.1, seed=2)]
    together = T.train_many(configs)
    assert together[1].stopped_reason.startswith("diverged at epoch")
    for k in (0, 2):
        assert_same_run(together[k], T.train(configs[k]))


@pytest.mark.parametrize("name", T.OPTIMIZERS)
def test_stacked_optimizer_equals_torch_optim(name):
    """Row k of the stacked update = torch.optim on model k alone, with model k's own hyperparameters."""
    configs = [TrainConfig(optimizer=name, lr=lr, momentum=m, beta1=b1, beta2=b2, alpha=a, eps=e)
               for lr, m, b1, b2, a, e in [(0.1, 0.9, 0.9, 0.999, 0.99, 1e-8), (0.01, 0.5, 0.8, 0.99, 0.9, 1e-6),
                                           (0.3, 0.0, 0.0, 0.9, 0.5, 1e-3)]]
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(3, 7, generator=generator)
    grads = [torch.randn(3, 7, generator=generator) for _ in range(25)]
    flat = start.clone()
    stacked = T.StackedOptimizer(name, configs, torch.device("cpu"))
    for g in grads:
        stacked.step(flat, g)
    for k, c in enumerate(configs):
        p = torch.nn.Parameter(start[k].clone())
        optimizer = T.make_optimizer(name, [p], c.lr, c.momentum, c.beta1, c.beta2, c.alpha, c.eps)
        for g in grads:
            p.grad = g[k].clone()
            optimizer.step()
        assert torch.allclose(flat[k], p.detach(), rtol=1e-5, atol=1e-6), (flat[k] - p.detach()).abs().max()


# --- export -----------------------------------------------------------------------------------------------------------
def run_script(script, tmp_path):
    path = tmp_path / "run.py"
    path.write_text(script)
    out = subprocess.run([sys.executable, "-I", str(path)], cwd=tmp_path, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    final = out.strip().splitlines()[-1]
    assert final.startswith("final: ")
    return {k: float(v) for k, v in (item.split("=") for item in final[len("final: "):].split())}


@pytest.mark.parametrize("cfg, custom", [
    (TrainConfig(epochs=7, optimizer="momentum", loss="mse", l1=1e-4, clip="value", clip_threshold=0.1,
                 features=("x1x2", "sinx1"), dataset="blobs", n_classes=3, n_samples=150, norm="layer"), False),
    (TrainConfig(dataset="custom", epochs=5, hidden=(6, 6), residual=True, norm="batch", batch_size=0,
                 activation="leaky_relu", init="xavier"), True),
])
def test_exported_script_reproduces_the_run(cfg, custom, tmp_path):
    data = D.make_dataset("moons", 60, 0.1, seed=4) if custom else None
    history = T.train(cfg, data=data)
    script = T.export_script(cfg, data=data)
    assert "import core" not in script and "from core" not in script
    final = run_script(script, tmp_path)
    assert final["epoch"] == history.n_epochs
    for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
        assert math.isclose(final[name], getattr(history, name)[-1], rel_tol=1e-6, abs_tol=1e-7), name


# --- devices ----------------------------------------------------------------------------------------------------------
def test_auto_device_on_this_machine():
    device, notices = T.resolve_device("auto")
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu") and notices == []
    if not torch.cuda.is_available():
        device, notices = T.resolve_device("cuda")
        assert device.type == "cpu" and notices[0].code == "no_cuda"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_matches_cpu():
    cfg = TrainConfig(epochs=10, n_samples=200)
    gpu = T.train(cfg.replace(device="cuda"))
    cpu = T.train(cfg.replace(device="cpu"))
    assert next(gpu.model.parameters()).is_cuda
    assert np.allclose(gpu.train_loss, cpu.train_loss, rtol=1e-3, atol=1e-4)
    trainer = T.Trainer(cfg.replace(device="cuda"))
    trainer.step(2)
    assert trainer.predict_proba(np.zeros((5, 2), np.float32)).shape == (5, 2)
    many = T.train_many([cfg.replace(device="cuda", seed=s) for s in range(3)])
    for ours, s in zip(many, range(3)):
        assert np.allclose(ours.train_loss, T.train(cfg.replace(seed=s)).train_loss, rtol=1e-3, atol=1e-3)
