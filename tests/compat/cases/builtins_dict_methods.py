inv = {"apple": 3, "pear": 0, "fig": 7}
inv.update(kiwi=2)
print(sorted(inv))
print(inv.pop("pear"), inv.pop("nope", -1))
print(sorted(k for k, v in inv.items() if v > 2))
print(dict.fromkeys(["a", "b"], 0) == {"a": 0, "b": 0})
inv.setdefault("plum", 1)
print(len(inv), "plum" in inv)
