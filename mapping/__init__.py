"""Folding stored statements into HR enrollment and learning-progress records."""
