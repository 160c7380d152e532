"""A server-wide cap on trainings that run at the same moment, so one class opening the training pages together
cannot starve the server: past the cap a student sees "queued" until a slot frees up.

Usage on a page (around the cached call that trains; a cache hit passes straight through):

    with training_slot():
        result = cached_experiment(settings)
"""
from __future__ import annotations

import contextlib
import os
import threading

import streamlit as st

from ui.i18n import Texts

# Two cores by default: more simultaneous trainings would only slow each other down.
MAX_CONCURRENT_TRAININGS = int(os.environ.get("NN_EXPLAINER_MAX_TRAININGS", "2"))
QUEUE_TIMEOUT_S = 120


@st.cache_resource
def _slots() -> threading.BoundedSemaphore:
    """One semaphore per server process (cache_resource is shared by every session)."""
    return threading.BoundedSemaphore(max(1, MAX_CONCURRENT_TRAININGS))


@contextlib.contextmanager
def training_slot():
    """Hold a slot for the training inside; past the cap, wait (saying so) up to ``QUEUE_TIMEOUT_S``."""
    slots = _slots()
    if not slots.acquire(blocking=False):
        notice = st.empty()
        notice.info(Texts("common")("queued"), icon=":material/hourglass_top:")
        acquired = slots.acquire(timeout=QUEUE_TIMEOUT_S)
        notice.empty()
        if not acquired:
            st.warning(Texts("common")("queue_timeout"))
            st.stop()
    try:
        yield
    finally:
        slots.release()


@contextlib.contextmanager
def training_slot_if_free():
    """A slot if one is free right now (yields True), else yields False at once: for a live run that trains a
    little every tick, which simply tries again on the next tick instead of holding the page while it waits."""
    slots = _slots()
    acquired = slots.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            slots.release()
