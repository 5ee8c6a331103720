"""Quarantined records: kept once per source record and reason, listed, discarded, retried."""
