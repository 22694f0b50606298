/**
 * The activity factory: every side effect of a pipeline, built from injected clients. The worker is the only
 * place that calls it; workflows see these functions as types only.
 */
import { createGateActivities } from './gates.js';
import { createIngest, type IngestDeps } from './ingest.js';
import { createLabelingActivities } from './labeling.js';
import { createDataCheckActivities } from './dataChecks.js';
import { createAssessmentActivities } from './assessment.js';
import { createReportActivities } from './report/index.js';
import { createWriteRunManifest, type ManifestDeps } from './manifest.js';
import { createRunJob, type RunJobDeps } from './runJob.js';
import { suggestTrial } from './sweepPlanner.js';
import { createSweepTableActivities } from './sweepTable.js';
import { reportingOutages } from './infrastructure.js';
import { createRegistryActivities } from './registry.js';
import { createFingerprintActivities } from './runFingerprint.js';
import { type GauntletMetrics, withGateMetrics, withJobMetrics } from './metrics.js';
import { createTwoStageActivities } from './twoStage.js';

/** `metrics`: Gauntlet's Prometheus metrics (activities/metrics.ts); null or absent when the worker exports none. */
export type ActivityDeps = RunJobDeps & IngestDeps & ManifestDeps & { metrics?: GauntletMetrics | null };

export function createActivities(deps: ActivityDeps) {
  const activities = {
    ingestDataset: createIngest(deps),
    runJob: withJobMetrics(createRunJob(deps), deps.metrics ?? null),
    writeRunManifest: withGateMetrics(createWriteRunManifest(deps), deps.metrics ?? null),
    ...createSweepTableActivities(deps),
    suggestTrial,
    ...createGateActivities(deps),
    ...createLabelingActivities(deps),
    ...createDataCheckActivities(deps),
    ...createAssessmentActivities(deps),
    ...createReportActivities(deps),
    ...createRegistryActivities(deps),
    ...createFingerprintActivities(deps),
    ...createTwoStageActivities(deps),
  };
  // Outages (storage, Kubernetes API, network) reach the workflow named as such: it waits them out, never counting them.
  const wrap = reportingOutages as <F>(activity: F) => F;
  return Object.fromEntries(Object.entries(activities).map(([name, activity]) => [name, wrap(activity)])) as typeof activities;
}

export type Activities = ReturnType<typeof createActivities>;
