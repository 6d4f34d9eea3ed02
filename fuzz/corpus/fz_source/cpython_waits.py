import time, socket, select
time.sleep(0.01)
a, b = socket.socketpair()
a.setblocking(False)
try:
    a.recv(1)
except BlockingIOError:
    print("EAGAIN")
b.send(b"x")
print(select.select([a], [], [], 0.01), a.recv(1))
import asyncio
async def main():
    await asyncio.sleep(0.01)
    return 1
print(asyncio.run(main()))
time.sleep(5)
