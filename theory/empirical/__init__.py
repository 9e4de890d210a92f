"""The empirical route: real PyTorch models trained with real optimisers (torch imported lazily)."""
