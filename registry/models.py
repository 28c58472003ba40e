"""Employers, branches, insured persons, employment and dependants.

Models land with their issue; see docs/adding-a-feature.md.
"""
