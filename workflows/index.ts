/** Every workflow the worker registers. */
export { pipelineWorkflow } from './pipeline.js';
