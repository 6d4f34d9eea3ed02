from collections import defaultdict
# MicroPython's defaultdict supports item access and `in`; keep our own key list
graph = defaultdict(list)
nodes = []
edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")]
for u, v in edges:
    for n in (u, v):
        if n not in nodes:
            nodes.append(n)
    graph[u].append(v)
    graph[v].append(u)
for node in sorted(nodes):
    print(node, sorted(graph[node]))
counts = defaultdict(int)
for ch in "mississippi":
    counts[ch] += 1
print([(ch, counts[ch]) for ch in sorted(set("mississippi"))])
print("z" in counts, counts["z"], "z" in counts)
groups = defaultdict(lambda: {"n": 0, "total": 0})
for k, v in [("x", 3), ("y", 4), ("x", 5)]:
    groups[k]["n"] += 1
    groups[k]["total"] += v
print(groups["x"]["total"] / groups["x"]["n"], groups["y"]["n"])
