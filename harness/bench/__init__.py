"""`nox -s bench`: the reference API's claim throughput against the database's own limit."""
