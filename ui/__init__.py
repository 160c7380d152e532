"""Shared Streamlit UI: the page registry, language lookup, URL-bound widgets, the page frame and chart builders."""
