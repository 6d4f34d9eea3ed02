from fractions import Fraction

a = Fraction(1, 3)
b = Fraction(2, 6)
print(a == b, a + Fraction(1, 6), a * 3)
print(Fraction("0.25"), Fraction(3, 4).numerator, float(Fraction(1, 8)))
print(sum(Fraction(1, n) for n in range(1, 5)))
