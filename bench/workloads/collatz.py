# A memoised Collatz search: the longest chain for starts below 20,000, with
# a dict of about 43,000 int keys (mostly consecutive, plus scattered large
# values) filled from scratch on every run.
def chain(n, memo):
    path = []
    while n not in memo:
        path.append(n)
        n = n // 2 if n % 2 == 0 else 3 * n + 1
    k = memo[n]
    for m in reversed(path):
        k += 1
        memo[m] = k
    return k
# --- run ---
memo = {1: 1}
best = max(range(1, 20000), key=lambda n: chain(n, memo))
assert best == 17647 and len(memo) > 43000, (best, len(memo))
