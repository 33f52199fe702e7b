/** Where the CLI writes (tests pass buffers; the binary passes the process streams). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (progress bars); false in CI logs and pipes. Default false. */
  isTTY?: boolean;
  /** Rewrites the current terminal line (progress bars); only called when `isTTY`. */
  status?(line: string): void;
}

/** What each command gets: the output streams and a way to set the exit code. */
export interface CliContext {
  readonly io: CliIo;
  /** Sets the exit code the CLI returns once the action ends. */
  exit(code: number): void;
}

/** The process's own streams. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stdout.isTTY === true,
  status: (line) => process.stdout.write(`\r\u001B[2K${line}`),
};
