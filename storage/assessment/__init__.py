"""Assessments and reviews: the years and their phases and criteria, each unit's self-assessment and its answers,
the committee's review, and the committee's scoring as the award's examiners."""
