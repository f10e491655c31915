"""Evaluation on labelled folders: the `docloop eval` contract of DESIGN.md."""
