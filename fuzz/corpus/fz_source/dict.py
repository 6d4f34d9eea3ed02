d = {i: str(i) for i in range(50)}
del d[3]
print(len(d), sorted(d.items())[:3], {1, 2} | {3})
