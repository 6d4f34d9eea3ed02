def down(n):
    return down(n + 1)
try:
    down(0)
except RuntimeError as e:
    print("caught", type(e).__name__)
def depth_ok(n):
    return 0 if n == 0 else 1 + depth_ok(n - 1)
print(depth_ok(40))
