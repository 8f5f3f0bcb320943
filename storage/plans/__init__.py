"""Plans and follow-up: the opportunities for improvement, the improvement plans, the annual work plan and the
follow-up of each plan at 6 and 12 months."""
