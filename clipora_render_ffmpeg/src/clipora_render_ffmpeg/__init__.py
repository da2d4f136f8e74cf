"""Clipora media plugin: the PyAV prober ("pyav") and the ffmpeg clip renderer ("ffmpeg").

Heavy modules (``av``, ``numpy``, ``imageio_ffmpeg``) are imported only by ``prober`` and
``renderer``, never by ``plugin``, so ``clipora --help`` stays fast."""

__version__ = "0.2.0"
