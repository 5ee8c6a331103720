"""Citizen feedback: field reports and petitions from Open311 GeoReport v2 portals."""
