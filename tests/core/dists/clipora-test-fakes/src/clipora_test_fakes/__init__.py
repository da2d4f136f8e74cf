"""Fake Clipora plugins that drive the core in its own tests (never used by feature tests)."""
