// Calls the greetings server's `greet` tool with the MCP SDK's client and prints what it got as
// JSON: over Streamable HTTP (`node call-tool.mjs http://127.0.0.1:3000/mcp`) or over stdio,
// starting the server itself (`node call-tool.mjs stdio`); in the 2025-11-25 era (`legacy`, the
// SDK's default) or pinned to 2026-07-28 (`modern`).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const [target = 'http://127.0.0.1:3000/mcp', era = 'legacy'] = process.argv.slice(2);
const client = new Client(
  { name: 'call-tool', version: '1.0.0' },
  era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
);
const transport =
  target === 'stdio'
    ? new StdioClientTransport({
        command: process.execPath,
        args: ['dist/main.js', '--stdio'],
        stderr: 'inherit',
      })
    : new StreamableHTTPClientTransport(new URL(target));

try {
  await client.connect(transport);
  // The server process, for the caller to clean up should this one be killed.
  if (transport instanceof StdioClientTransport) console.error(`server pid ${transport.pid}`);
  const { tools } = await client.listTools();
  const greeted = await client.callTool({
    name: 'greet',
    arguments: { name: 'Ada', tone: 'formal' },
  });
  const refused = await client.callTool({ name: 'greet', arguments: { name: '', tone: 'rude' } });
  console.log(
    JSON.stringify({
      protocolVersion: client.getNegotiatedProtocolVersion(),
      tools,
      greeted,
      refused,
    }),
  );
} finally {
  await client.close();
}
