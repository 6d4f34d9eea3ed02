from itertools import accumulate, zip_longest
import operator

print(list(accumulate([1, 2, 3, 4])))
print(list(accumulate([1, 2, 3, 4], operator.mul)))
print(list(zip_longest("abc", [1, 2], fillvalue="-")))
