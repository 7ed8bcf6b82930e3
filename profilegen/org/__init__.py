"""Organisation structure: the model, its loaders and unit selection."""
