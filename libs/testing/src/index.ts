export {
  createMcpTestApp,
  connectStdio,
  type McpTestApp,
  type McpTestAppOptions,
  type McpTestTransport,
} from './create-mcp-test-app';
export { mcpTestMatrix, type McpTestSetup } from './test-matrix';
export { toolText, toolError, type ToolErrorBody } from './tool-results';
export { fakeMcpCall, type FakeMcpCall, type FakeMcpCallOptions } from './mcp-call.fake';
