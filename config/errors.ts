/** A bad setting: one line per problem, each naming the variable and the value it had. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    what = 'configuration',
  ) {
    super(`invalid ${what}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}
