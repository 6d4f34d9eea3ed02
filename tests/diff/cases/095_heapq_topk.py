import heapq
tasks = [(3, "write docs"), (1, "fix bug"), (4, "refactor"), (2, "review"), (1, "deploy")]
heap = []
for t in tasks:
    heapq.heappush(heap, t)
order = []
while heap:
    order.append(heapq.heappop(heap))
print(order)
nums = [15, 3, 99, 42, 7, 64, 23, 8]
h = list(nums)
heapq.heapify(h)
print([heapq.heappop(h) for _ in range(3)])
def top_k(xs, k):
    h = []
    for x in xs:
        if len(h) < k:
            heapq.heappush(h, x)
        elif x > h[0]:
            heapq.heappop(h)
            heapq.heappush(h, x)
    return sorted(h, reverse=True)
print(top_k(nums, 3))
