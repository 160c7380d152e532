"""The surfaces of core.surfaces, transcribed independently from the issue's formulas for torch autograd."""
import torch

TORCH_F = {
    "quadratic": lambda x, y: 0.1 * x**2 + 2 * y**2,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "saddle": lambda x, y: x**2 + y**4 / 4 - y**2 / 2,
    "two_basins": lambda x, y: (x**2 + y**2 - 2 * torch.exp(-((x - 1) ** 2 + y**2) / 0.2)
                                - 3 * torch.exp(-((x + 1) ** 2 + y**2) / 0.2)),
}
