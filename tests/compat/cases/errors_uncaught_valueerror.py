def parse(s):
    return int(s)

nums = [parse(x) for x in ["1", "2", "three"]]
print(nums)
