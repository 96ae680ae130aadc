/** An error the user can fix (bad flag, bad config, unreadable input): printed in one line, exit 2. */
export class FinopsError extends Error {
  readonly exitCode: number = 2;
}

/** Bad command-line usage. */
export class UsageError extends FinopsError {}

/** Bad finops.yaml (the message names the key path). */
export class ConfigError extends FinopsError {}

/** Unreadable or unrecognised input, or a bad row under --strict. */
export class InputError extends FinopsError {}
