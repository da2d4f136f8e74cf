"""Fails on import, like a plugin whose dependency is missing."""

raise ImportError("clipora-test-broken needs the module 'definitely_missing_dependency'")
