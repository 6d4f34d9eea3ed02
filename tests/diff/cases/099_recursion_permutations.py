def permutations(xs):
    if len(xs) <= 1:
        return [xs[:]]
    out = []
    for i in range(len(xs)):
        rest = xs[:i] + xs[i + 1:]
        for p in permutations(rest):
            out.append([xs[i]] + p)
    return out
ps = permutations([1, 2, 3, 4])
print(len(ps), ps[:3], ps[-1])
def subsets(xs):
    if not xs:
        return [[]]
    rest = subsets(xs[1:])
    return rest + [[xs[0]] + s for s in rest]
print(sorted(subsets(["a", "b", "c"]), key=lambda s: (len(s), s)))
