"""Example third-party Clipora plugin: the ``even_chunks`` video type."""

__version__ = "0.1.0"
