/**
 * The pod runner has no images: for a few known images it plays the image's files from this machine instead. The
 * Gauntlet trainer image (deploy/docker/trainer.Dockerfile) is the repository's trainer/ at /app/trainer with a Python
 * that has torch, so a pipeline's default `kubernetes.command` (`python3 /app/trainer/reference_trainer.py`) runs
 * unchanged on the local cluster as on a real one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalImage {
  /** Path prefixes inside the image → folders on this machine, e.g. `/app/` → `<repo>/`. */
  files: { prefix: string; dir: string }[];
  /** Commands of the image's PATH → executables here (e.g. `python3` → a Python with torch). */
  commands: Record<string, string>;
  /** The image's ENV, mapped like its files. */
  env: Record<string, string>;
}

/** Local images by repository name (the image name without registry, path and tag). */
export type LocalImages = Record<string, LocalImage>;

export const TRAINER_IMAGE_REPOSITORY = 'gauntlet-trainer';

export function trainerLocalImage(repoRoot: string, python: string | undefined): LocalImage {
  return {
    files: [{ prefix: '/app/', dir: `${repoRoot}/` }],
    commands: python ? { python3: python, python } : {},
    env: { PYTHONPATH: join(repoRoot, 'trainer'), PYTHONUNBUFFERED: '1' },
  };
}

/** `registry:5000/team/gauntlet-trainer:1.0@sha256:…` → `gauntlet-trainer`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const last = withoutDigest.split('/').at(-1) ?? '';
  return last.split(':')[0] ?? '';
}

/** The argv and env a container of `image` runs with here; unchanged for an image the runner does not know. */
export function playImage(images: LocalImages, image: string | undefined, argv: string[]): { argv: string[]; env: Record<string, string> } {
  const local = images[imageRepository(image ?? '')];
  if (!local) return { argv, env: {} };
  const mapPath = (arg: string): string => {
    const match = local.files.find(({ prefix }) => arg.startsWith(prefix));
    if (!match) return arg;
    const here = join(match.dir, arg.slice(match.prefix.length));
    return existsSync(here) ? here : arg; // a file the checkout lacks stays as given: the start error names it
  };
  const [command = '', ...args] = argv;
  return { argv: [local.commands[command] ?? mapPath(command), ...args.map(mapPath)], env: local.env };
}
