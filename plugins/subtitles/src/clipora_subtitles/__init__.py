"""Clipora subtitle writers (SRT, VTT, ASS) and the bundled CJK font for burn-in."""
