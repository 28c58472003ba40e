"""The report pages, their exports and charts, built generically from the sections the apps
register (`sso.core.reports`): the range form and the period it yields (`forms`), how a
cell reads on screen, in a file and in a chart (`cells`), and the pages and downloads
(`views`). The JSON API is `sso.core.api.reports`."""
