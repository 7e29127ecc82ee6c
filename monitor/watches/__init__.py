"""Watches: what a user monitors (a query, names, a description), matched across languages."""
