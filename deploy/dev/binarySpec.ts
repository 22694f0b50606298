/** How a Go-built tool of the dev stack is pinned, built and recognised (deploy/dev/binaries.ts builds them). */
export interface BinarySpec {
  /** The version label: cache key, and what `<name> --version` must print for a PATH binary to be used. */
  version: string;
  /** `go install` target (package@moduleVersion); with `wrapperModule`, the package to `go build` there. */
  installTarget: string;
  /**
   * A wrapper module folder (go.mod + go.sum, relative to the repo root) to build `installTarget` from, for modules
   * whose own go.mod has replace lines (`go install pkg@version` refuses those).
   */
  wrapperModule?: string;
  /** Arguments that make the binary print its version. @default ['--version'] */
  versionArgs?: string[];
  ldflags: string;
  /** Go version the module asks for (for the error when go is missing). */
  goVersion: string;
  /** Rough build time on 2 cores with an empty go build cache, for the "first run only" line. */
  buildMinutes: number;
  /** True when `<name> --version` output shows this exact version. */
  matches(versionOutput: string): boolean;
}
