import random
random.seed(12345)
a = [random.randint(1, 100) for _ in range(8)]
random.seed(12345)
b = [random.randint(1, 100) for _ in range(8)]
print(a == b, len(a), all(1 <= x <= 100 for x in a))
random.seed(7)
print(a)
print([random.randrange(10) for _ in range(5)], random.getrandbits(16))
print(random.choice(["x", "y", "z"]), round(random.random(), 6))
