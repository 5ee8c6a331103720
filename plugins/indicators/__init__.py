"""Socio-economic indicators: SDMX-JSON, SDMX-CSV and Excel workbooks."""
