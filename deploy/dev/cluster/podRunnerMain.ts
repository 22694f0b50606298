/**
 * `node dist/deploy/dev/cluster/podRunnerMain.js --kubeconfig FILE --work-dir DIR`: the pod runner as a process of its
 * own (what `gauntlet dev cluster up --run-pods-locally` starts). Stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startPodRunner } from './podRunner.js';
import { RUNNER_READY_MARKER } from './runnerProcess.js';

const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, 'work-dir': { type: 'string' } } });
if (!values.kubeconfig || !values['work-dir']) {
  process.stderr.write('podRunnerMain: --kubeconfig FILE and --work-dir DIR are required\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const runner = await startPodRunner({ kubeconfig: values.kubeconfig, workDir: values['work-dir'], log });
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
