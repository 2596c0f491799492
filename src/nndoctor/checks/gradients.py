"""Placeholder: checks are being written."""
