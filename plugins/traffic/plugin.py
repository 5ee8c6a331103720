"""The traffic plugin's hook implementations."""
