"""Domain core: case model, rules, deadlines, validation. Pure Python: no Qt, no I/O."""
