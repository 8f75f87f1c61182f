"""The acceptance harness, by job: stacks/ (get something running), inspect/ and races/
(read facts from artifacts and from concurrent HTTP), plugin/ (the pytest plugin that turns
checks into the scorecard), load/ and bench/ (the command-line runs). docs/architecture.md
says what each may import."""
