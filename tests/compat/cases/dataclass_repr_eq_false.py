from dataclasses import dataclass

@dataclass(eq=False)
class Node:
    value: int
    next: "Node" = None

a = Node(1)
b = Node(1)
print(a == b, a == a)
n = Node(3, Node(4))
print(n.next.value)
