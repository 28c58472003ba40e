"""The registry's pages: `pages` (search, lists, records, the forms with more than one step),
`counter_forms` (the plain counter forms, as data) and `uploads` (bulk registration)."""
