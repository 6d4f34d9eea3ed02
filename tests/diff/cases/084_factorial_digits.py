def fact(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r
f100 = fact(100)
s = str(f100)
print(s[:20], "...", s[-30:])
print(len(s), sum(map(int, s)))
trailing = len(s) - len(s.rstrip("0"))
print("trailing zeros:", trailing)
print(fact(30) // fact(28), fact(25) % 1000000007)
