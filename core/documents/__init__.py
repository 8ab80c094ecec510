"""Documents: blob store, document records, ENI metadata, CSV codes, PDF generation."""
