#!/usr/bin/env node
// `rampart-contract check|update --app <file>[#<export>] [--file <path>]`: see docs/contracts.md.
import 'reflect-metadata';
import { runAppCommandMain } from '../cli/run-app-command';
import { runContractCommand } from './contract-command';

runAppCommandMain('rampart-contract', runContractCommand);
