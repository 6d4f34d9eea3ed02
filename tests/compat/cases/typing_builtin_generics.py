def group(words: list[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for w in words:
        out.setdefault(len(w), []).append(w)
    return out

res = group(["a", "bb", "cc", "d", "eee"])
for k in sorted(res):
    print(k, res[k])
