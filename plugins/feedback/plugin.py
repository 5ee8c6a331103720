"""The feedback plugin's hook implementations."""
