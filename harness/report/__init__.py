"""The report folder: a self-contained page, the runs the checks judged kept beside it
with timelines of their violations, and the offline judge of a kept run."""
