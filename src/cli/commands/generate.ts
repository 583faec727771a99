import type { Command } from 'commander';
import type { CliContext } from '../main.js';

export function registerGenerate(_program: Command, _ctx: CliContext): void {}
