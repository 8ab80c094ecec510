"""Throw-away plugins that prove each kernel hook."""
