"""Publication-quality figures drawn from the verified theory."""
