import heapq

nums = [5, 1, 8, 3, 9, 2]
print(heapq.nlargest(3, nums), heapq.nsmallest(2, nums))
h = []
for n in nums:
    heapq.heappush(h, n)
print([heapq.heappop(h) for _ in range(3)])
tasks = [(2, "write"), (1, "plan"), (3, "ship")]
heapq.heapify(tasks)
print(heapq.heappop(tasks))
print(heapq.nsmallest(2, ["bb", "a", "ccc"], key=len))
