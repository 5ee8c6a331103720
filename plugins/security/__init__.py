"""Information security: alerts and incidents on government systems (Wazuh, CEF syslog)."""
