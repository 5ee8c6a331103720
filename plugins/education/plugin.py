"""The education plugin's hook implementations."""
