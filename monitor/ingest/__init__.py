"""Ingest: fetch feeds politely and safely, parse them into entries, and decide when each is due."""
