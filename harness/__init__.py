"""The acceptance harness: stacks, inspectors, the scorecard; loaded as a pytest plugin."""
