from collections import deque
grid = [
    "S.#.......",
    ".##.####..",
    "....#..#.#",
    "###.#.##..",
    "....#....E",
]
rows, cols = len(grid), len(grid[0])
start = end = None
for r, line in enumerate(grid):
    for c, ch in enumerate(line):
        if ch == "S":
            start = (r, c)
        elif ch == "E":
            end = (r, c)
q = deque([start], 100)
dist = {start: 0}
while q:
    r, c = q.popleft()
    for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        nr, nc = r + dr, c + dc
        if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in dist:
            dist[(nr, nc)] = dist[(r, c)] + 1
            q.append((nr, nc))
print("shortest:", dist.get(end))
print("reachable:", len(dist))
far = max(dist.values())
print("farthest:", far, sorted(p for p in dist if dist[p] == far))
