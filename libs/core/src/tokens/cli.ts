#!/usr/bin/env node
// `rampart-tokens check|update --app <file>[#<export>] [--file <path>]`: see docs/tokens.md.
import 'reflect-metadata';
import { runAppCommandMain } from '../cli/run-app-command';
import { runTokensCommand } from './tokens-command';

runAppCommandMain('rampart-tokens', runTokensCommand);
