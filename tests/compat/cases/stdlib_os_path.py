import os

p = os.path.join("data", "raw", "file.csv")
print(p)
print(os.path.basename(p), os.path.dirname(p))
print(os.path.splitext(p))
print(os.path.split("/a/b/c.txt"))
print(os.path.exists("/definitely/not/here"))
