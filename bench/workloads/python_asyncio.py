# asyncio: an echo server and a client on 127.0.0.1 exchanging 2000 lines.
import asyncio

async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    total = 0
    for i in range(2000):
        writer.write(b"line %d\n" % i)
        await writer.drain()
        total += len(await reader.readline())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print(total)

asyncio.run(main())
