import { badAppCommandArguments, parseAppCommandArguments } from './app-command-arguments';
import type { AppCommand } from './app-registries';

class CommandError extends Error {}
const command: AppCommand = { name: 'rampart-x', error: (message) => new CommandError(message) };
const parse = (...argv: string[]) =>
  parseAppCommandArguments(argv, command, 'rampart.x.json', {
    strict: { type: 'boolean' },
    headroom: { type: 'string' },
  });
/** The first line of the error `argv` throws (the second points at --help). */
const problem = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CommandError);
    const [first, second] = (error as Error).message.split('\n');
    expect(second).toBe('Run rampart-x --help for the usage.');
    return first;
  }
  throw new Error(`${argv.join(' ')} was taken`);
};

describe('parseAppCommandArguments', () => {
  it('reads the command, the app, the file (or its default) and the command’s own options', () => {
    expect(parse('check', '--app', 'dist/app.module.js#AppModule.forRoot')).toEqual({
      command: 'check',
      app: 'dist/app.module.js#AppModule.forRoot',
      file: 'rampart.x.json',
      values: { app: 'dist/app.module.js#AppModule.forRoot' },
    });
    expect(
      parse('update', '--app=dist/a.js', '--file', 'x.json', '--strict', '--headroom', '5'),
    ).toMatchObject({
      command: 'update',
      file: 'x.json',
      values: { strict: true, headroom: '5' },
    });
    // An empty --file is no file: the default.
    expect(parse('check', '--app', 'a.js', '--file', '')).toMatchObject({
      file: 'rampart.x.json',
    });
  });

  it('answers help for --help or -h, whatever else is there', () => {
    expect(parse('--help')).toBe('help');
    expect(parse('check', '-h')).toBe('help');
  });

  it('refuses what it cannot take, with the command’s own error', () => {
    expect(problem('--app', 'a.js')).toBe('Give a command: check or update.');
    expect(problem('verify', '--app', 'a.js')).toBe(
      'Unknown command "verify": use check or update.',
    );
    expect(problem('check', 'extra', '--app', 'a.js')).toBe('Unexpected argument "extra".');
    expect(problem('check')).toBe('--app <file>[#<export>] is required.');
    expect(problem('check', '--app', '')).toBe('--app <file>[#<export>] is required.');
    expect(problem('check', '--app', 'a.js', '--json')).toMatch(/Unknown option '--json'/);
    expect(problem('check', '--app')).toMatch(/--app/);
  });

  it('makes the command’s error for its own refusals', () => {
    const error = badAppCommandArguments(command, '--strict applies to check only.');
    expect(error).toBeInstanceOf(CommandError);
    expect(error.message).toBe(
      '--strict applies to check only.\nRun rampart-x --help for the usage.',
    );
  });
});
