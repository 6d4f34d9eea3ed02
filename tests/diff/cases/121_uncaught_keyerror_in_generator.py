prices = {"apple": 1.0, "pear": 1.5}
def costs(cart):
    for item, qty in cart:
        yield item, prices[item] * qty
for item, c in costs([("apple", 3), ("pear", 2), ("mango", 1)]):
    print(item, c)
