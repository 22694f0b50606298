/** Every workflow the worker registers. */
export { pipelineWorkflow } from './pipeline.js';
export { sweepWorkflow } from './sweep.js';
export { labelingWorkflow } from './labeling.js';
export { modelWorkflow } from './modelStage.js';
