from dataclasses import dataclass, field
from typing import List
from enum import Enum

class Kind(Enum):
    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"

@dataclass
class Tx:
    kind: Kind
    amount: float

@dataclass
class Account:
    owner: str
    balance: float = 0.0
    history: List[Tx] = field(default_factory=list)

    def apply(self, tx: Tx) -> bool:
        if tx.kind is Kind.WITHDRAW and tx.amount > self.balance:
            return False
        self.balance += tx.amount if tx.kind is Kind.DEPOSIT else -tx.amount
        self.history.append(tx)
        return True

acct = Account("zoe")
ops = [(Kind.DEPOSIT, 100), (Kind.WITHDRAW, 30), (Kind.WITHDRAW, 500), (Kind.DEPOSIT, 12.5)]
for kind, amt in ops:
    ok = acct.apply(Tx(kind, amt))
    print(f"{kind.value:<8} {amt:>7.2f} {'ok' if ok else 'REJECTED'}")
print(f"balance: {acct.balance:.2f}, {len(acct.history)} transactions")
