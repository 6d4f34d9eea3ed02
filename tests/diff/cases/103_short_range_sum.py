total = sum(range(1, 1001))
print(total, total == 1000 * 1001 // 2)
