# Recursive fib(27): 317,811 Python calls; function-call overhead.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
# --- run ---
r = fib(27)
assert r == 196418, r
