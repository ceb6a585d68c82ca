"""Drives the bridge's MCP server with the official MCP Python SDK.

Reads a plan (JSON) from stdin: how to connect and the steps to take,
    {"connect": {"stdio": {"command": ..., "args": [...], "env": {...}}}
              | {"http": {"url": ..., "key": ...}},
     "steps": [{"op": "list_tools"} | {"op": "call", "tool": ..., "arguments": {...}}]}
and prints one JSON document: a result per step, in order:
    {"tools": [{"name", "description", "input_schema"}]}
    {"is_error": bool, "text": "..."}          (a tool's answer or tool error)
    {"protocol_error": "..."}                  (an MCP error response)
The Rust integration test writes the plans and checks the results against the store.
"""

import asyncio
import json
import sys

from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


async def run_steps(session, steps):
    results = []
    for step in steps:
        try:
            if step["op"] == "list_tools":
                listed = await session.list_tools()
                results.append(
                    {
                        "tools": [
                            {
                                "name": tool.name,
                                "description": tool.description,
                                "input_schema": tool.input_schema,
                            }
                            for tool in listed.tools
                        ]
                    }
                )
            else:
                result = await session.call_tool(step["tool"], step.get("arguments"))
                text = "".join(
                    block.text for block in result.content if getattr(block, "type", "") == "text"
                )
                results.append({"is_error": bool(result.is_error), "text": text})
        except MCPError as error:
            results.append({"protocol_error": str(error)})
    return results


async def main():
    plan = json.load(sys.stdin)
    connect = plan["connect"]
    if "stdio" in connect:
        params = StdioServerParameters(
            command=connect["stdio"]["command"],
            args=connect["stdio"].get("args", []),
            env=connect["stdio"].get("env"),
        )
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                results = await run_steps(session, plan["steps"])
    else:
        http = connect["http"]
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {http['key']}"})
        async with client:
            async with streamable_http_client(http["url"], http_client=client) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    results = await run_steps(session, plan["steps"])
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main())
