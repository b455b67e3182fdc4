/** Workflow entry points bundled for the worker. */
export { caseWorkflow } from './case';
export { judicialTransferWorkflow } from './judicial-transfer';
export { courtEnforcementWorkflow } from './court-enforcement';
export { calendarRecomputeWorkflow } from './calendar-recompute';
export { disclosureWorkflow } from './disclosure';
export { inspectionCampaignWorkflow } from './inspection-campaign';
