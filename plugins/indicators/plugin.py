"""The indicators plugin's hook implementations."""
