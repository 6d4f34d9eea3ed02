from collections import Counter

inventory = Counter(apples=10, pears=4)
sold = Counter(apples=3, pears=4)
inventory.subtract(sold)
print(sorted(inventory.items()))
print(+inventory)
print(Counter({"x": 2}) == Counter(x=2))
