export type { ApplicationOptions, Transport } from './application/application-options.interface';
export type { ToolOptions } from './tool/tool-options.interface';
export type { ServerOptions } from './server/server-options.interface';
export type { PartOptions, PrimitivePartOptions } from './utils/part-options.interface';
export { THIRD_PARTY_VERSIONS } from './utils/versions';
