nums = [3, 1, 4, 1, 5, 9, 2, 6]
print(sum(x * x for x in nums))
