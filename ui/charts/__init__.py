"""Every chart of the app: builders that return Vega-Lite specs (plain dicts), grouped by kind of chart, and the one
``show`` that draws them.

- ``base``: palette, sizes, the tooltip helper, Altair → dict, projector styling, ``show``
- ``lines``: lines against x (log axes, loss curves with rules, hover read-outs), grouped bars
- ``grids``: heatmaps, decision maps, unit maps, histograms as small multiples, phase and basin maps
- ``surfaces``: contour lines with optimizer paths, the optimizer race, square scatters
- ``diagrams``: a network as a graph, clipped gradient arrows

Importing the package loads ``base`` only: a page pays for the builders it imports.
"""
from ui.charts.base import show

__all__ = ["show"]
