import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The versions a generated server depends on: those the Rampart repository itself is built and
 * tested with (its root package.json pins them; `versions.spec.ts` checks that they agree). A
 * generated package.json takes them as `^` ranges, except the `node` devDependency, which it pins
 * as the repository does.
 */
export const THIRD_PARTY_VERSIONS = {
  '@nestjs/cli': '12.0.8',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  '@nestjs/platform-express': '12.5.1',
  '@nestjs/terminus': '12.1.0',
  '@nestjs/testing': '12.1.1',
  '@opentelemetry/api': '1.9.1',
  '@types/jest': '30.0.0',
  '@types/node': '24.19.2',
  'class-transformer': '0.5.1',
  'class-validator': '0.15.1',
  jest: '30.5.2',
  'nestjs-pino': '5.2.1',
  node: '24.21.0',
  pino: '10.4.0',
  'pino-http': '11.0.0',
  'prom-client': '15.1.3',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
  'ts-jest': '29.4.15',
  typescript: '6.0.3',
} as const;

/** A package a generated server depends on. */
export type ThirdPartyPackage = keyof typeof THIRD_PARTY_VERSIONS;

/**
 * The version of `@rampart/schematics`, which is the version of every `@rampart/*` package it
 * generates a dependency on (they are released together).
 */
export function rampartVersion(): string {
  // Two levels up from both src/utils and dist/utils: the package's own package.json.
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}
