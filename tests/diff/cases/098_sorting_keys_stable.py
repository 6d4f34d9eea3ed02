records = [
    {"name": "delta", "score": 70, "time": 3.2},
    {"name": "alpha", "score": 90, "time": 5.0},
    {"name": "charlie", "score": 70, "time": 2.1},
    {"name": "bravo", "score": 90, "time": 4.4},
    {"name": "echo", "score": 85, "time": 2.1},
]
by_score = sorted(records, key=lambda r: r["score"], reverse=True)
print([r["name"] for r in by_score])
by_time_then_name = sorted(records, key=lambda r: (r["time"], r["name"]))
print([r["name"] for r in by_time_then_name])
names = [r["name"] for r in records]
names.sort(key=len)
print(names)
print(sorted("Banana apple Cherry date".split(), key=lambda s: s.lower()))
print(sorted([3, -1, -4, 2, 0], key=abs), sorted([(2, "b"), (1, "z"), (2, "a")]))
