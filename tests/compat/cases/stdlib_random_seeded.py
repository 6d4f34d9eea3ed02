import random

random.seed(42)
xs = [random.randint(1, 100) for _ in range(5)]
print(len(xs), all(1 <= x <= 100 for x in xs))
items = list(range(10))
random.shuffle(items)
print(sorted(items) == list(range(10)))
print(random.choice(["only"]))
r = random.random()
print(0 <= r < 1)
