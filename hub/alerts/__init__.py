"""Alert rules and the alerts they raise."""
