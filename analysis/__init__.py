"""Figures the pages show, computed from the store with the scoring package (no Streamlit)."""
