"""Web layer: app assembly helpers, guards, pages, errors, templates and translations."""
