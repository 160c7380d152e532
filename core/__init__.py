"""The math and the training behind the explainer: numpy and torch only, no streamlit, no altair.

A lecturer can ``import core`` in a notebook; every public function states its formula in its docstring and is
checked against torch in ``tests/``.
"""
