"""Use cases: (session, actor, plain values) -> result. They flush, never commit; the boundary commits once."""
