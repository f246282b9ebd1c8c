"""Coffee roulette rounds: pair everyone opted in with someone they have not met (one trio when the count is odd)."""
