"""The health plugin's hook implementations."""
