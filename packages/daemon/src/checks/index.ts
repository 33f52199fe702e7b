export {
  type CheckCounts,
  countEvaluations,
  type FailOn,
  failuresAtOrAbove,
  githubAnnotations,
  junitXml,
  summaryTable,
  xmlEscape,
} from './check-report.js';
export {
  type CheckEvaluation,
  type RunStoredChecksOptions,
  runStoredChecks,
} from './run-stored-checks.js';
