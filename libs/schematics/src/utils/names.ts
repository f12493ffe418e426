import { strings } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';
import { INVALID_NAME, INVALID_PACKAGE_NAME } from './messages.constant';

/** The names that one NAME argument gives a generated part. */
export interface PartNames {
  /** kebab-case, for files, folders and URI schemes: `search-docs`. */
  fileName: string;
  /** PascalCase, for classes: `SearchDocs`. */
  className: string;
  /** camelCase, for methods: `searchDocs`. */
  propertyName: string;
  /** snake_case, for the names clients see (tools, prompts, resources): `search_docs`. */
  mcpName: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RESERVED = new Set(['constructor', 'prototype']);

/**
 * The names of a part, from what the user typed (`search-docs`, `searchDocs`, `search_docs` or
 * `Search Docs` all give the same); throws a `SchematicsException` for anything else.
 *
 * @example
 * partNames('searchDocs'); // { fileName: 'search-docs', className: 'SearchDocs', ... }
 */
export function partNames(name: string): PartNames {
  const fileName = strings.dasherize(name.trim().replace(/\s+/g, '-'));
  const propertyName = strings.camelize(fileName);
  if (!KEBAB.test(fileName) || RESERVED.has(propertyName))
    throw new SchematicsException(INVALID_NAME(name, 'search-docs'));
  return {
    fileName,
    className: strings.classify(fileName),
    propertyName,
    mcpName: strings.underscore(fileName),
  };
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * An application's npm package name, checked, and the unscoped part of it (the folder and the
 * MCP server's name).
 *
 * @example
 * packageNames('@acme/my-server'); // { packageName: '@acme/my-server', baseName: 'my-server' }
 */
export function packageNames(name: string): { packageName: string; baseName: string } {
  if (!PACKAGE_NAME.test(name) || name.length > 214)
    throw new SchematicsException(INVALID_PACKAGE_NAME(name));
  return { packageName: name, baseName: name.slice(name.lastIndexOf('/') + 1) };
}

/**
 * A string as a TypeScript literal, quoted as Prettier quotes it: single quotes, unless the
 * string has more of them than double quotes.
 *
 * @example
 * tsString('Search the docs'); // "'Search the docs'"
 * tsString("it's"); // the same text in double quotes
 */
export function tsString(value: string): string {
  const quote = count(value, "'") > count(value, '"') ? '"' : "'";
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(new RegExp(quote, 'g'), `\\${quote}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
  return `${quote}${escaped}${quote}`;
}

const count = (value: string, char: string): number => value.split(char).length - 1;

/**
 * `key: 'value',` as Prettier prints it at this indentation (80 columns): on one line, or the
 * string on the next one when the line would be too long.
 *
 * @example
 * tsProperty('description', 'Search the docs', 4); // "description: 'Search the docs',"
 */
export function tsProperty(key: string, value: string, indent: number): string {
  const literal = tsString(value);
  const line = `${key}: ${literal},`;
  return indent + line.length <= 80 ? line : `${key}:\n${' '.repeat(indent + 2)}${literal},`;
}
