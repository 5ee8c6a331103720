"""Public order and traffic safety: accidents, violations, camera and sensor events."""
