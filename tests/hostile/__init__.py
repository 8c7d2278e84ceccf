"""Helpers for the reliability tests: the crash-test child process and the hostile-workbook corpus."""
