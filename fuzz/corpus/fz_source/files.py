import os
try:
    open('/etc/passwd')
except OSError as e:
    print(e)
print(os.listdir('/'), os.getcwd())
os.chdir('/lib')
