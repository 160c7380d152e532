"""One module per page that computes something: ``core.views.<page_id>`` holds what that page shows, as pure
functions of its settings (a page caches each call). A view imports the engines of ``core`` and ``core.views._shared``
only, never another view (``tests/test_layers.py`` checks it)."""
