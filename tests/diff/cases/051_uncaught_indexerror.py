queue = [3, 1, 2]
queue.sort()
while True:
    item = queue.pop(0)
    print("processing", item)
