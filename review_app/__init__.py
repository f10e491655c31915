"""docloop's application package."""
