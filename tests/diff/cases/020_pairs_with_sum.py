def pairs_with_sum(nums, target):
    seen = {}
    out = []
    for i, n in enumerate(nums):
        if target - n in seen:
            out.append((seen[target - n], i))
        seen[n] = i
    return out
print(pairs_with_sum([2, 7, 11, 15, -2, 9, 0], 9))
print(pairs_with_sum([], 1))
