"""Bulk registration upload API (filled by the upload work)."""

PATHS = []
