/** What a subcommand gets: its arguments and its streams (passed in, so tests can capture them). */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
}

/** A subcommand resolves to its exit code: 0 success, 1 failure, 2 bad usage. */
export type Command = (args: readonly string[], io: CommandIo) => Promise<number>;
