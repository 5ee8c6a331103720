"""An IOC Hub plugin reading daily air quality from a monitoring network's REST API."""
