class A:
    def __init__(self, x): self.x = x
    def __repr__(self): return 'A(%r)' % self.x
print([A(i) for i in range(3)])
A(1)
