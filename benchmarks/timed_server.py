"""`streamlit run` with a stopwatch on every rerun, for benchmarks/load.py (never used by the app itself).

    LOAD_TIMINGS=/tmp/t.jsonl python benchmarks/timed_server.py app.py --server.port 8501 ...

For each session it notes when a rerun request arrives (a page load, a widget change) and when the run it started
finishes, and appends one JSON line per finished run: {"page": url path, "kind": "load" | "rerun", "ms": server-side
latency}. That is the server's share of what a student waits for. "kind" is "load" when the request opened a page,
"rerun" when it came from a widget on the page; the browser's share runs on the student's own machine in a real
class.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time

from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import ScriptRunnerEvent

TIMINGS = os.environ["LOAD_TIMINGS"]
_lock = threading.Lock()
_pending: dict[str, tuple[float, str, str]] = {}  # session id -> (arrival, page, kind) of the oldest open request
_page: dict[str, str] = {}  # session id -> the page it is on (a widget's rerun request names no page)
_FINISHED = {ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, ScriptRunnerEvent.FRAGMENT_STOPPED_WITH_SUCCESS,
             ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR}

_handle_backmsg = AppSession.handle_backmsg
_on_event = AppSession._handle_scriptrunner_event_on_event_loop


def handle_backmsg(self, msg):
    if msg.WhichOneof("type") == "rerun_script":
        # a request that replaces a still-running one is answered by the same finish: keep the older arrival time
        opened = msg.rerun_script.page_name
        page = _page[self.id] = opened or _page.get(self.id, "")
        _pending.setdefault(self.id, (time.perf_counter(), page, "load" if opened else "rerun"))
    return _handle_backmsg(self, msg)


def on_event(self, sender, event, *args, **kwargs):
    result = _on_event(self, sender, event, *args, **kwargs)
    if event in _FINISHED and self.id in _pending:
        arrived, page, kind = _pending.pop(self.id)
        line = json.dumps({"page": page, "kind": kind, "ms": round((time.perf_counter() - arrived) * 1000, 1)})
        with _lock, open(TIMINGS, "a") as out:
            out.write(line + "\n")
    return result


_disconnect_session = Runtime.disconnect_session


def disconnect_session(self, session_id, *args, **kwargs):
    """A websocket that closed while its browser tab was still open: the tab reconnects, and a rerun it had asked for
    may be lost on the way."""
    with _lock, open(TIMINGS, "a") as out:
        out.write(json.dumps({"page": _page.get(session_id, ""), "kind": "disconnect", "ms": 0}) + "\n")
    return _disconnect_session(self, session_id, *args, **kwargs)


Runtime.disconnect_session = disconnect_session
AppSession.handle_backmsg = handle_backmsg
AppSession._handle_scriptrunner_event_on_event_loop = on_event

if __name__ == "__main__":
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()
