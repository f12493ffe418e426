import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppContract, parseAppSpec } from './contract-app';

describe('loadAppContract', () => {
  let dir: string;
  const file = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const failure = (spec: string) =>
    loadAppContract(spec, dir).then(
      () => 'loaded',
      (error: Error) => `${error.name}: ${error.message}`,
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-contract-app-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads file#Export.member, AppModule by default, relative to the working directory', () => {
    expect(parseAppSpec('dist/app.module.js', '/repo')).toEqual({
      file: '/repo/dist/app.module.js',
      path: ['AppModule'],
    });
    expect(parseAppSpec('/abs/app.js#AppModule.forRoot', '/repo')).toEqual({
      file: '/abs/app.js',
      path: ['AppModule', 'forRoot'],
    });
    expect(parseAppSpec('app.js#', '/repo').path).toEqual(['AppModule']);
  });

  it('refuses what is neither a module, a dynamic module, a factory of one, nor an app context', async () => {
    file('values.js', 'exports.AppModule = 42; exports.make = () => ({ nope: true });');
    expect(await failure('values.js')).toBe(
      'ContractError: values.js is the number 42, not a Nest module class, a dynamic module, a function returning one, or an application context',
    );
    expect(await failure('values.js#make')).toBe(
      'ContractError: values.js#make is an object with keys nope, not a Nest module class, a dynamic module, a function returning one, or an application context',
    );
  });

  it('names the exports when the one asked for is missing, and the error when the file throws', async () => {
    file('other.js', 'exports.Other = class Other {};');
    expect(await failure('other.js#AppModule.forRoot')).toBe(
      `ContractError: ${join(dir, 'other.js')} has no export AppModule.forRoot; it exports Other: name the module with --app ${join(dir, 'other.js')}#<export>`,
    );
    file('throws.js', "throw new Error('no config');");
    expect(await failure('throws.js')).toBe(
      `ContractError: could not load ${join(dir, 'throws.js')}: no config`,
    );
  });

  it('says so when the module boots without any McpModule server', async () => {
    file('empty.js', 'exports.AppModule = class AppModule {};');
    expect(await failure('empty.js')).toBe(
      'ContractError: empty.js booted without any McpModule server: import McpModule.forRoot() in the module it names',
    );
  });
});
