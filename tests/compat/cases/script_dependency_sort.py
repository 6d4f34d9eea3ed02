from collections import defaultdict, deque
from typing import Dict, List

deps: Dict[str, List[str]] = {
    "app": ["lib", "utils"],
    "lib": ["core"],
    "utils": ["core"],
    "core": [],
    "tests": ["app"],
}

def topo(graph: Dict[str, List[str]]) -> List[str]:
    indeg = {n: 0 for n in graph}
    rev = defaultdict(list)
    for n, ds in graph.items():
        for d in ds:
            indeg[n] += 1
            rev[d].append(n)
    q = deque(sorted(n for n, k in indeg.items() if k == 0))
    order = []
    while q:
        n = q.popleft()
        order.append(n)
        for m in sorted(rev[n]):
            indeg[m] -= 1
            if indeg[m] == 0:
                q.append(m)
    return order

print(" -> ".join(topo(deps)))
