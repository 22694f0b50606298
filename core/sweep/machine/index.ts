export { SweepMachine } from './machine.js';
export type { PlannerAnswer, PlannerRequest, Refusal, SweepDecision, SweepEvent, TrialResult } from './events.js';
export type { MachineInput } from './state.js';
export { trialSchedule, type TrialSchedule } from './schedule.js';
export type { BudgetRequest } from './control.js';
