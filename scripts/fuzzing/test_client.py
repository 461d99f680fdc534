# A fuzzing-server client harness on the public API of Python's websockets
# (Debian's python3-websockets), in the style of websockets' own
# compliance/test_client.py: ask for the case count, run every case echoing
# each message back with its type, then ask for the reports.
#
#   python3 scripts/fuzzing/test_client.py [ws://127.0.0.1:9001] [agent]
import asyncio
import json
import sys
import urllib.parse

import websockets
from websockets.exceptions import WebSocketException

SERVER = sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:9001"
AGENT = sys.argv[2] if len(sys.argv) > 2 else "websockets"


async def get_case_count():
    async with websockets.connect(f"{SERVER}/getCaseCount") as ws:
        return json.loads(await ws.recv())


async def run_case(case):
    agent = urllib.parse.quote(AGENT)
    async with websockets.connect(f"{SERVER}/runCase?case={case}&agent={agent}", max_size=2**25) as ws:
        try:
            async for msg in ws:
                await ws.send(msg)
        except WebSocketException:
            pass


async def update_reports():
    agent = urllib.parse.quote(AGENT)
    async with websockets.connect(f"{SERVER}/updateReports?agent={agent}", open_timeout=60):
        pass


async def main():
    cases = await get_case_count()
    for case in range(1, cases + 1):
        try:
            await run_case(case)
        except WebSocketException:
            pass
        except Exception as exc:
            # As websockets' own compliance client does: note a client-side failure, go on.
            print(f"case {case}: FAIL: {type(exc).__name__}: {exc}", flush=True)
        if case % 50 == 0 or case == cases:
            print(f"{AGENT}: ran {case}/{cases} cases", flush=True)
    await update_reports()


if __name__ == "__main__":
    asyncio.run(main())
