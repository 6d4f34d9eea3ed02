from functools import reduce, partial
nums = [3, 5, 7, 11]
print(reduce(lambda a, b: a * b, nums))
print(reduce(lambda acc, x: acc + [acc[-1] + x], nums, [0]))
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
print(reduce(gcd, [84, 126, 210]))
def power(base, exp):
    return base ** exp
square = partial(power, exp=2)
two_to = partial(power, 2)
print(square(9), two_to(10), [square(i) for i in range(5)])
words = ["alpha", "beta", "gamma"]
print(reduce(lambda a, b: a if len(a) >= len(b) else b, words))
