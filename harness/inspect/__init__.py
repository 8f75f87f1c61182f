"""Readers that turn an artifact into plain facts. They never assert."""
