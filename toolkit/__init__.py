"""Office toolkit: runs a customer-service office's register and complaint tracker in Excel."""

__version__ = "0.1.0"
