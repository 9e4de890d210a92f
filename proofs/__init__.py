"""SymPy derivations of the catalogue's theorems (the symbolic route)."""
