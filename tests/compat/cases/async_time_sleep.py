import time

start = time.time()
time.sleep(0.05)
elapsed = time.time() - start
print(elapsed >= 0.04, elapsed < 2)
print(type(time.time()).__name__)
