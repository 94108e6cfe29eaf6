"""The window: dumb views over the state stores; every clinical number comes from the domain."""
