"""Tests of the registro plugin."""
