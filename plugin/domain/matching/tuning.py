"""The engine's tuning: block sizes, how many pairs a scan keeps, margins. Read at call time (``tuning.X``),
so a test can shrink them to drive a small pool through the large-pool paths."""

BLOCK_ELEMENTS = 1 << 22  # pairs scored per block: bounds the scans' working memory (~100 MB)
K_FIRST = 8  # small pools: pairs kept per person in the first scan (raw scores)
K_POOL = 48  # large pools: pairs kept per person in the first scan (reduced scores under estimated prices)
K_PRICE = 12  # pairs kept per person in a pricing scan
POOL_MARGIN = 300  # a scan keeps pairs with reduced score > -POOL_MARGIN (the pool, re-priced after every solve)
LP_MARGIN = 60  # of those, the first solve takes the pairs with reduced score > -LP_MARGIN
PRUNE_MARGIN = 60  # unmatched candidates with reduced score < -PRUNE_MARGIN go back to the pool
ADD_MARGIN = 30  # when a pool pair turns positive, pool pairs with reduced score > -ADD_MARGIN join the candidates
FLAG_FRACTION = 0.3  # above this share of flagged rows, scan every pair again
SAMPLE_MIN_PAIRS = 4_000_000  # pools with more pairs start from prices estimated on a sample
SAMPLE_FRACTION = 0.2  # of each side
MAX_ROUNDS = 60
SWEEP_ELEMENTS = 1 << 21  # pairs scored per block by a sweep or a pricing (large enough for a fast matrix product)
SWEEP_MARGIN = 140  # large pools: a sweep keeps every pair with reduced score > -SWEEP_MARGIN
COVER_FRACTION = 0.25  # above this share of the pairs to price again, sweep every pair again
PRICE_MARGIN = 60  # a pricing keeps (in the pool) the pairs with reduced score > -PRICE_MARGIN
