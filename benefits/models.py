"""Benefit claims: record, examine, adjudicate, pay.

Models land with their issue; see docs/adding-a-feature.md.
"""
