"""Typed values and header mapping for the office's workbooks (pure code, no file access)."""
