"""Monthly contribution statements, payments and receipts.

Models land with their issue; see docs/adding-a-feature.md.
"""
