from string import Template

t = Template("Hello $name, you owe $$${amount}")
print(t.substitute(name="Ann", amount="5.00"))
t2 = Template("$greeting $who")
print(t2.safe_substitute(greeting="Hi"))
try:
    t2.substitute(greeting="Hi")
except KeyError as e:
    print("missing", e)
