import type { Command } from 'commander';

/** Every CLI command, listed here (composition, not discovery). One file per command. */
export const commands: Array<(program: Command) => void> = [];
