"""Exports: pure functions from frames to file bytes (Excel, CSV), labelled from the string catalogue."""
