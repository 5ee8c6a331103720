"""IOC Hub: the data hub of a provincial Intelligent Operations Center."""

__version__ = "0.1.0"
