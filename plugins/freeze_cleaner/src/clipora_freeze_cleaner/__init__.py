"""Clipora cleaner that removes frozen-video spans from a recording before analysis."""
