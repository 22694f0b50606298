/**
 * `node dist/deploy/dev/cluster/podRunnerMain.js --kubeconfig FILE --work-dir DIR [--trainer-python PY]`: the pod
 * runner as a process of its own (what `gauntlet dev cluster up` starts). It plays the gauntlet-trainer image from this
 * checkout (localImages.ts). Stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { repoRoot } from '../paths.js';
import { TRAINER_IMAGE_REPOSITORY, trainerLocalImage } from './localImages.js';
import { startPodRunner } from './podRunner.js';
import { RUNNER_READY_MARKER } from './runnerProcess.js';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, 'work-dir': { type: 'string' }, 'trainer-python': { type: 'string' } } });
if (!values.kubeconfig || !values['work-dir']) {
  process.stderr.write('podRunnerMain: --kubeconfig FILE and --work-dir DIR are required\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const localImages = { [TRAINER_IMAGE_REPOSITORY]: trainerLocalImage(repoRoot(), values['trainer-python']) };
const runner = await startPodRunner({ kubeconfig: values.kubeconfig, workDir: values['work-dir'], localImages, log });
log(`${RUNNER_READY_MARKER} (pid ${process.pid})`);
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log(`pod runner: ${sig}, stopping`);
    void runner.stop().finally(() => process.exit(0));
  });
}
