export {
  createMcpTestApp,
  connectStdio,
  type McpTestApp,
  type McpTestAppOptions,
  type McpTestTransport,
} from './create-mcp-test-app';
