"""Casebook: case studies of health and social care integration, as a cross-linked site.

The core (load -> validate -> model -> generate -> index -> export) never imports MkDocs;
`plugin.py` and `cli.py` are thin layers over it.
"""
