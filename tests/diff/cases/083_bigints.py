a = 2 ** 200
b = 3 ** 120
print(a)
print(b)
print(a * b)
print(a // b, a % b)
print(-a // 7, -a % 7)
print(len(str(2 ** 1000)), sum(int(d) for d in str(2 ** 1000)))
print((a + 1) & (b - 1), a | 1, a >> 190, 1 << 130)
print(hex(2 ** 70), int("123456789012345678901234567890") * 3)
print(pow(7, 10 ** 20, 10 ** 9 + 7))
