class InsufficientFunds(Exception):
    pass
class Bank:
    def __init__(self):
        self.accounts = {}
        self.ledger = []
    def open(self, name, amount=0):
        self.accounts[name] = amount
        self.ledger.append(("open", name, amount))
    def transfer(self, src, dst, amount):
        if self.accounts[src] < amount:
            raise InsufficientFunds("%s has %d, needs %d" % (src, self.accounts[src], amount))
        self.accounts[src] -= amount
        self.accounts[dst] += amount
        self.ledger.append(("xfer", src, dst, amount))
bank = Bank()
for n, a in [("ann", 100), ("bob", 50), ("cy", 0)]:
    bank.open(n, a)
ops = [("ann", "bob", 30), ("bob", "cy", 70), ("cy", "ann", 100), ("bob", "ann", 5)]
for src, dst, amt in ops:
    try:
        bank.transfer(src, dst, amt)
        print("ok", src, "->", dst, amt)
    except InsufficientFunds as e:
        print("declined:", e)
print(sorted(bank.accounts.items()), sum(bank.accounts.values()))
print(len(bank.ledger), bank.ledger[-1])
