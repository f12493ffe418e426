/**
 * Loads an optional peer dependency on first use, or throws an error naming the package to
 * install and the feature that needs it (as terminus' `checkPackage` does).
 *
 * @example
 * const pg = loadPackage<typeof import('pg')>('pg', 'The PostgreSQL audit sink');
 */
export function loadPackage<T>(name: string, feature: string): T {
  try {
    // oxlint-disable-next-line typescript/no-require-imports -- lazy optional peer, CommonJS
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND')
      throw new Error(
        `${feature} needs the "${name}" package, which is not installed: run \`npm install ${name}\``,
        { cause: error },
      );
    throw error;
  }
}
