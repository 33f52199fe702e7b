/** Schedules and sensors as definitions, with pure tick computation and sensor evaluation (the daemon persists ticks and cursors). */
export { type CronTicks, cronTicks } from './cron-ticks.js';
export {
  type EvaluateSensorOptions,
  evaluateSensor,
  type SensorEvaluation,
  type SensorRunRequest,
} from './evaluate-sensor.js';
export { type ResolvedTarget, resolveTarget, type TargetInput } from './resolve-target.js';
export {
  isScheduleDefinition,
  type ScheduleDefinition,
  type ScheduleOptions,
  type SchedulePartitions,
  schedule,
} from './schedule.js';
export {
  type DueTicks,
  dueScheduleTicks,
  runRequestForTick,
  type ScheduleRunRequest,
  type ScheduleTickResult,
  scheduleTicks,
} from './schedule-ticks.js';
export {
  type AssetSensorContext,
  assetSensor,
  isSensorDefinition,
  type RunStatusEvent,
  type RunStatusSensorContext,
  runStatusSensor,
  type SensorBaseOptions,
  type SensorContext,
  type SensorDefinition,
  type SensorResultInput,
  type SensorRunRequestInput,
  sensor,
} from './sensor.js';
