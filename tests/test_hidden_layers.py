"""The hidden-layers page's claims, checked: first-layer units are constant along lines."""
import numpy as np
import torch

from core.training import Trainer
from core.views import _shared as shared
from core.views import hidden_layers


def test_first_layer_units_are_constant_along_lines():
    """A first-layer unit is φ(w·z + b): its response is a function of one projection of the input."""
    view = hidden_layers.hidden_layers_view("circle", depth=2, width=4, activation="tanh", seed=0)
    assert len(view.layers) == 2 and all(layer.maps.shape == (4, shared.MAP_RESOLUTION ** 2) for layer in view.layers)
    trainer = Trainer(shared.view_config("circle", (4, 4), "tanh", 0))
    trainer.step(trainer.config.epochs)
    points = view.map_plane.points
    z = torch.from_numpy(trainer.prepared.transform(points))
    linear = trainer.model.hidden_blocks[0].linear
    with torch.no_grad():
        expected = torch.tanh(linear(z)).numpy()
    assert np.allclose(shared.scale_maps(expected).maps, view.layers[0].maps, atol=1e-4)
    assert view.train_acc >= 0.9
