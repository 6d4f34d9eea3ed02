def sieve(n):
    is_p = bytearray(b"\x01" * (n + 1))
    is_p[0] = is_p[1] = 0
    i = 2
    while i * i <= n:
        if is_p[i]:
            for j in range(i * i, n + 1, i):
                is_p[j] = 0
        i += 1
    return [i for i in range(n + 1) if is_p[i]]
ps = sieve(10000)
print(len(ps), ps[:10], ps[-3:])
twins = [(p, p + 2) for p, q in zip(ps, ps[1:]) if q == p + 2]
print(len(twins), twins[-1])
gaps = [q - p for p, q in zip(ps, ps[1:])]
print(max(gaps))
