"""The security plugin's hook implementations."""
