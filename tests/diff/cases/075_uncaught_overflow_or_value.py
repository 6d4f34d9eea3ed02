import math
print(math.sqrt(16), math.log(math.e))
vals = [4, 1, 0.25, -1]
for v in vals:
    print(v, math.sqrt(v))
