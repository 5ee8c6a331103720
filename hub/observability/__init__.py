"""What an operator watches: Prometheus metrics, health, and the logs' one format."""
