"""Streamlit helpers shared by the router and the pages: strings, session, formatting."""
