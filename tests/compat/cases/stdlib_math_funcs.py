import math

print(math.gcd(48, 18), math.lcm(4, 6), math.isqrt(50))
print(math.comb(5, 2), math.perm(5, 2), math.factorial(10))
print(math.prod([1, 2, 3, 4]), math.dist((0, 0), (3, 4)))
print(math.hypot(3, 4), math.floor(-2.5), math.ceil(2.1))
print(round(math.log(100, 10), 6), math.inf > 10**100)
