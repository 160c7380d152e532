import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit.logger  # noqa: E402

# AppTest runs scripts without a browser session; Streamlit then warns "missing ScriptRunContext" on every call.
streamlit.logger.set_log_level("error")
