export const INVALID_DECORATOR = (decorator: string, where: string, problem: string) =>
  `Invalid @${decorator}() on ${where}: ${problem}`;
export const INVALID_OPTIONS = (problems: string[]) =>
  `Invalid SecurityModule options: ${problems.join('; ')}`;
