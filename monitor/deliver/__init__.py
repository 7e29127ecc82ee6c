"""Deliver: what leaves monitor for people (the daily digest by mail)."""
