"""monitor: a self-hosted, multilingual media-monitoring aggregator."""

__version__ = "0.1.0"
