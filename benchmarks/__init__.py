"""Speed measurements of the engine (see README.md)."""
