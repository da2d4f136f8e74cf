"""Clipora ASR backend that imports existing subtitles or transcripts instead of recognising speech."""
