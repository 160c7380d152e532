import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit.logger  # noqa: E402

# AppTest runs scripts without a browser session; Streamlit then warns "missing ScriptRunContext" on every call.
streamlit.logger.set_log_level("error")


import pytest  # noqa: E402


# Real training runs that several test files check: computed once per test session.
@pytest.fixture(scope="session")
def explosion():
    """The gradient-clipping page's runs (an exploding net, clipped and not)."""
    from core.views import gradient_clipping

    return gradient_clipping.exploding_runs()


@pytest.fixture(scope="session")
def race():
    """The normalization-layers page's race at depth 8."""
    from core.views import normalization_layers

    return normalization_layers.normalization_race(depth=8, residual=False)
