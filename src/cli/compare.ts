import type { Command } from "commander";

/**
 * Registers `smtpcap compare A B`: two captures of one path, lined up (issue #14).
 * (Stub: the command is being written; it registers nothing yet.)
 */
export function registerCompare(_program: Command): void {}
