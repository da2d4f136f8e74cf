"""Clipora's offline speech-to-text backend (faster-whisper, Whisper base from PyPI wheels)."""
