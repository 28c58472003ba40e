"""Kiosk tickets, counters, calling and service times.

Models land with their issue; see docs/adding-a-feature.md.
"""
