"""Test helpers for plugin authors: the standard checks every connector must pass."""
