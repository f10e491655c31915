"""Candidate finders: each proposes values for a field with the cues and features that back them."""
