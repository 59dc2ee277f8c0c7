"""An SMTP server for the tests (aiosmtpd): saves every message it accepts as NNNN.eml in the directory given as
the first argument, listens on 127.0.0.1 at a free port and prints that port on its first line of output. It
stops when its standard input closes, so it never outlives the test that started it."""

import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory
        self.numbers = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(self.directory, f"{next(self.numbers):04}.eml")
        # Written under another name first, so a reader never sees half a message.
        with open(path + ".part", "wb") as out:
            out.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)
        return "250 OK"


async def main(directory):
    loop = asyncio.get_running_loop()
    handler = SaveToDirectory(directory)
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
