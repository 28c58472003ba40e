"""The queue planner (issue 19): an office's arrivals forecast from its own history
(`forecast`), its day simulated with its counters (`simulation`, the model built from its
records by `office`), and the simulation checked against recorded days (`validation`)."""
