"""Health: FHIR R4 facilities, encounters, immunisations, notifiable diseases; DHIS2 values."""
