"""Daily validation and the HTML report: both read the monitoring marts (models/marts/monitoring)."""
