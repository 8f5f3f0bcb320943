"""The entry point: every run of the app goes through the router (ui/router.py)."""

from ui.router import route

route()
