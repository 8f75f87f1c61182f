"""`nox -s load`: a locust flash sale against a stack, then its history judged by the checker."""
