/**
 * The one seam through which the verifier runs external programs (apt-get, dpkg-deb, tar, gcc, qemu), so
 * tests can check the commands and drive failures without running them.
 */
import { spawn } from 'node:child_process';

/** The outcome of a finished command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one command. */
export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Text written to the command's standard input. */
  readonly input?: string;
  /** Shell pipeline instead of argv (used for `dpkg-deb --fsys-tarfile X | tar x`). @default false */
  readonly shell?: boolean;
}

/** Runs a program to completion and collects its output; never throws for a non-zero exit. */
export type CommandRunner = (command: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

/** Runs commands for real. A program that cannot be started yields code 127 and the reason in stderr. */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve) => {
    const child = options.shell
      ? spawn('/bin/sh', ['-c', [command, ...args].join(' ')], { cwd: options.cwd, env: options.env })
      : spawn(command, [...args], { cwd: options.cwd, env: options.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `${command}: ${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n${command}: killed by ${signal}` : ''),
      }),
    );
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });

/** Runs a command and throws with its stderr when it fails. */
export async function mustRun(run: CommandRunner, command: string, args: readonly string[], options?: CommandOptions): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${r.code}): ${detail}`);
  }
  return r.stdout;
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
