"""Qt table models: adapters over immutable tuples from the domain and the library."""
