log = []
def risky(n):
    if n == 3:
        raise RuntimeError("n was three")
    return n * 2
def process(items):
    out = []
    for i in items:
        try:
            out.append(risky(i))
        except RuntimeError:
            log.append("failure at %d" % i)
            raise
    return out
try:
    process([1, 2, 3, 4])
except RuntimeError as e:
    print("outer caught:", e)
print(log)
print(process([5, 6]))
