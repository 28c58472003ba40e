"""The customers' phones of one office polling their tickets' state as the page does: a load
for bench/queue_bench.py --phones (run as its own process, so its work is not the bench's).

    python bench/phone_load.py BASE_URL URLS_FILE SECONDS NEAR NEAR_SECONDS FAR_SECONDS

URLS_FILE holds one state URL (path and query) a line, in queue order: the first NEAR poll
every NEAR_SECONDS, the others every FAR_SECONDS, each phone from a random start and from an
address of its own (X-Forwarded-For: the server runs behind a proxy, so each phone has its own
rate limit, as in service). A connection a request, as a phone's browser through the proxy.
Prints one JSON line: the polls answered, by status, and their latency (p50, p99, ms).
"""

import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit


async def phone(host, port, path, every, deadline, address, latencies, statuses):
    await asyncio.sleep(random.random() * every)
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {address}\r\n"
                f"Accept: application/json\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readline()
            await reader.read()
            writer.close()
            status = int(head.split()[1]) if head else 0
        except OSError:
            status = 0
        latencies.append(time.monotonic() - started)
        statuses[status] = statuses.get(status, 0) + 1
        await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))


async def main():
    base, urls_file, seconds, near, near_every, far_every = sys.argv[1:7]
    split = urlsplit(base)
    paths = [line.strip() for line in open(urls_file) if line.strip()]
    deadline = time.monotonic() + float(seconds)
    latencies, statuses = [], {}
    await asyncio.gather(
        *(
            phone(
                split.hostname,
                split.port,
                path,
                float(near_every) if n < int(near) else float(far_every),
                deadline,
                f"10.{n // 250}.{n % 250}.1",
                latencies,
                statuses,
            )
            for n, path in enumerate(paths)
        )
    )
    latencies.sort()
    print(
        json.dumps(
            {
                "polls": len(latencies),
                "per_second": len(latencies) / float(seconds),
                "statuses": statuses,
                "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
                "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
