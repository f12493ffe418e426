#!/usr/bin/env node
// `rampart-tokens check|update --app <file>[#<export>] [--file <path>]` (docs/tokens.md).
// A committed, executable entry, so that the bin works before and after the build, in a
// workspace checkout as in an installed package; the command itself is built to dist/.
'use strict';
// oxlint-disable-next-line typescript/no-require-imports -- a CommonJS entry point
require('../dist/tokens/cli.js');
