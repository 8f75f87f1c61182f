"""Ways to get a running stack: each yields a `Stack` and always cleans up after itself."""
