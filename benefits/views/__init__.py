"""Benefits' pages: `claims` (record, the claim page and its decision, the work queue),
`appeals`, `payments` (orders, bank batches, returned transfers, the monthly run) and
`verify` (the back office's findings)."""
