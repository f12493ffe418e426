/** The messages of the errors the schematics throw, as functions of what went wrong. */

export const INVALID_NAME = (name: string, example: string): string =>
  `"${name}" is not a valid name: use letters, digits and dashes, starting with a letter (e.g. ${example})`;

export const INVALID_PACKAGE_NAME = (name: string): string =>
  `"${name}" is not a valid npm package name: use lower-case letters, digits, dashes, dots and underscores, optionally under a scope (e.g. my-server or @acme/my-server)`;

export const TYPESCRIPT_ONLY = (language: string): string =>
  `Rampart servers are written in TypeScript: language "${language}" is not supported (leave it out, or pass ts)`;

export const MODULE_NOT_FOUND = (module: string, tried: string[]): string =>
  `Module "${module}" was not found (looked for ${tried.join(', ')}): pass --module with the path of a *.module.ts file, or --skip-import`;

export const NO_MODULE_ABOVE = (what: string, directory: string): string =>
  `No *.module.ts file in ${directory} or above it to register ${what} in: pass --module with the path of one, or --skip-import`;

export const NOT_DECLARED = (what: string, module: string, metadata: string): string =>
  `Could not add ${what} to the ${metadata} of ${module}: it has no @Module({ ... }) decorator with an object literal`;

export const INVALID_TRANSPORT = (transport: string): string =>
  `"${transport}" is not a transport: use http (Streamable HTTP), stdio, or both`;

export const INVALID_HTTP_PATH = (path: string): string =>
  `"${path}" is not an HTTP path: start it with / and use URL path characters (e.g. /billing/mcp)`;
