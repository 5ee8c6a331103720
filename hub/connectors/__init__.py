"""Connectors: the public API plugins write against, and the runtime that runs them."""
