"""Validate, normalise and load records: the path every connector and `iochub import` share."""
