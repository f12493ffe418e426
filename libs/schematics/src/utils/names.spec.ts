import { packageNames, partNames, tsProperty, tsString } from './names';

describe('partNames', () => {
  it('gives file, class, method and MCP names from any spelling', () => {
    for (const name of ['search-docs', 'searchDocs', 'SearchDocs', 'search_docs', ' Search  Docs '])
      expect(partNames(name)).toEqual({
        fileName: 'search-docs',
        className: 'SearchDocs',
        propertyName: 'searchDocs',
        mcpName: 'search_docs',
      });
    expect(partNames('v2-api')).toEqual({
      fileName: 'v2-api',
      className: 'V2Api',
      propertyName: 'v2Api',
      mcpName: 'v2_api',
    });
  });

  it.each(['', '2fa', 'a--b', 'search.docs', 'über', 'prototype'])('refuses %p', (name) => {
    expect(() => partNames(name)).toThrow(`"${name}" is not a valid name`);
  });
});

describe('packageNames', () => {
  it('takes plain and scoped npm names', () => {
    expect(packageNames('my-server')).toEqual({ packageName: 'my-server', baseName: 'my-server' });
    expect(packageNames('@acme/my.server')).toEqual({
      packageName: '@acme/my.server',
      baseName: 'my.server',
    });
  });

  it.each(['My-Server', 'my server', '@acme/', '.hidden', `a${'b'.repeat(214)}`])(
    'refuses %p',
    (name) => {
      expect(() => packageNames(name)).toThrow(`"${name}" is not a valid npm package name`);
    },
  );
});

describe('tsString', () => {
  it('quotes as Prettier does, escaping what must be', () => {
    expect(tsString('plain')).toBe(`'plain'`);
    expect(tsString(`it's`)).toBe(`"it's"`);
    expect(tsString(`it's "quoted"`)).toBe(`'it\\'s "quoted"'`);
    expect(tsString('a\\b\nc')).toBe(`'a\\\\b\\nc'`);
  });
});

describe('tsProperty', () => {
  it('puts a string that does not fit in 80 columns on the next line', () => {
    expect(tsProperty('description', 'short', 4)).toBe(`description: 'short',`);
    const fits = 'x'.repeat(60); // 4 + `description: '…',` = 80 columns
    expect(tsProperty('description', fits, 4)).toBe(`description: '${fits}',`);
    const long = `${fits}x`;
    expect(tsProperty('description', long, 4)).toBe(`description:\n      '${long}',`);
  });
});
