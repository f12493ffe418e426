// Messages of the commands that boot an app from its built module (`rampart-contract`,
// `rampart-tokens`): `command` is the command's name.
export const APP_NOT_FOUND = (file: string) =>
  `--app names ${file}, which does not exist: build the app first and point --app at its built module file`;
export const APP_NOT_LOADED = (command: string, file: string, error: string) =>
  `could not load ${file}: ${error}${/\.[mc]?ts$/.test(file) ? `\n${command} loads built JavaScript: point --app at the compiled file (e.g. dist/app.module.js)` : ''}`;
export const APP_EXPORT_NOT_FOUND = (file: string, path: string, known: string[]) =>
  `${file} has no export ${path}${known.length ? `; it exports ${known.join(', ')}` : ''}: name the module with --app ${file}#<export>`;
export const APP_NOT_A_MODULE = (spec: string, got: string) =>
  `${spec} is ${got}, not a Nest module class, a dynamic module, a function returning one, or an application context`;
export const APP_NOT_BOOTED = (spec: string, error: string) => `${spec} did not boot: ${error}`;
export const APP_NO_SERVERS = (spec: string) =>
  `${spec} booted without any McpModule server: import McpModule.forRoot() in the module it names`;
export const APP_COMMAND_BAD_ARGUMENTS = (command: string, problem: string) =>
  `${problem}\nRun ${command} --help for the usage.`;
