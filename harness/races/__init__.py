"""Races: requests released together over real HTTP, their history, and the checker."""
