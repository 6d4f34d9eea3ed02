calls = []
def noisy(x):
    calls.append(x)
    return x * 2
gen = (noisy(x) for x in range(10))
print(calls)
first = next(gen)
print(first, calls)
found = next(v for v in gen if v > 7)
print(found, calls)
print(list(gen)[-1], len(calls))
