"""Built-in Concejo plugins, one folder each."""
