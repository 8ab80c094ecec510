"""Province- or vendor-specific plugins, same shape as the built-in ones."""
