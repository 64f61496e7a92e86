"""Geography: British National Grid conversion, boundaries, lookups and area resolution."""
