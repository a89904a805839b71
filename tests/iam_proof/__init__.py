"""Least privilege proven by running: every role statement dropped in turn (``make iam-proof``)."""
