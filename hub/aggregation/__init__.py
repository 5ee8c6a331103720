"""Aggregation by administrative level and by time, on a hierarchy that changes."""
