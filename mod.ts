/**
 * pdbench: a benchmark suite for linear parameter decomposition methods (SPD,
 * APD) on toy models with known ground truth.
 *
 * Importing this module registers the built-in toys and methods. Tensors are
 * TensorFlow.js tensors: import `@tensorflow/tfjs` (mapped in deno.json) for
 * `tf`; it is the same engine instance the library uses.
 *
 * @example
 * ```ts
 * import { getMethod, getProfile, getToy, initBackend, profileConfig, trainHealthyTarget } from "./mod.ts";
 * await initBackend("wasm");
 * const toy = getToy("tms_5-2");
 * const target = await trainHealthyTarget(toy, 0);
 * const spd = getMethod("spd");
 * const paper = profileConfig(getProfile("paper"), toy.id, spd.id)!;
 * const cfg = spd.resolveConfig(spd.defaults, { ...paper, steps: 1000 });
 * const result = await spd.run(toy.buildModel(target.tensors), toy.data, cfg, 0);
 * ```
 *
 * @module
 */
import "./bench/builtins.ts";
export { BUILTIN_TOYS } from "./bench/builtins.ts";

export {
  applyGradientFixes,
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  initBackend,
  isBackendName,
  segmentSumRows,
  variableFrom,
} from "./bench/runtime/backend.ts";
export { Rng, RNG_VERSION, type RngState, rngStream } from "./bench/runtime/rng.ts";
export { fromRows, type Matrix, matrix } from "./bench/linalg/matrix.ts";
export {
  anyActiveProbability,
  oneHotBatch,
  sampleSparseFeatures,
  type SparseFeatureSpec,
} from "./bench/data/sparse_features.ts";
export {
  type FoldedBatch,
  foldZeroRows,
  sliceFoldedBatch,
  unfoldedBatch,
} from "./bench/data/zero_row_fold.ts";
export {
  learningRate,
  type Schedule,
  SCHEDULE_KINDS,
  type ScheduleKind,
} from "./bench/optim/schedule.ts";
export {
  Adam,
  ADAM_DEFAULTS,
  type AdamOptions,
  type AdamState,
  type AdamTie,
} from "./bench/optim/adam.ts";
export {
  type ActivationFn,
  decomposedParamCount,
  type LayerFn,
  type LinearLayer,
  targetLayer,
  type TargetModel,
  targetPass,
} from "./bench/models/target_model.ts";
export { ABLATION_NODES, ablationCosts } from "./bench/models/ablation_cost.ts";
export {
  type CiPattern,
  getToy,
  type GroundTruth,
  MAX_TARGET_ATTEMPTS,
  registerToy,
  type ResidualTruth,
  type Toy,
  toyIds,
  trainHealthyTarget,
} from "./bench/toys/toy.ts";
export {
  canonicalJson,
  canonicalZeros,
  hashOf,
  type NamedArray,
  type TargetAttempt,
  targetFromJson,
  targetHash,
  type TargetHealth,
  targetToJson,
  type TrainedTarget,
} from "./bench/toys/trained_target.ts";
export {
  TMS_40_10,
  TMS_40_10_ID,
  TMS_5_2,
  TMS_5_2_ID,
  TMS_EVAL_BATCH,
  TMS_MAX_LOSS_FRACTION,
  TMS_MIN_COLUMN_NORM,
  type TmsConfig,
  tmsToy,
  tmsTrivialLoss,
} from "./bench/toys/tms.ts";
export {
  componentRow,
  componentWeight,
  fromRankOneFactors,
  type LayerComponents,
} from "./bench/methods/components.ts";
export {
  configWithDefaults,
  type CurvePoint,
  type ExtraMetric,
  getMethod,
  type Method,
  methodIds,
  type MethodResult,
  type OnProgress,
  registerMethod,
  type TrainStatus,
} from "./bench/methods/method.ts";
export {
  captureTrainState,
  type Checkpointing,
  isSaveStep,
  restoreTrainState,
  stopStep,
  type TrainState,
} from "./bench/methods/checkpoint.ts";
export {
  BOOLEAN,
  type FieldRule,
  type FieldRules,
  integerIn,
  NON_NEGATIVE,
  oneOf,
  POSITIVE,
  rejectField,
  resolveConfig,
  UNIT_INTERVAL,
} from "./bench/methods/config_fields.ts";
export {
  resolveSpdConfig,
  SPD_TMS_5_2,
  type SpdConfig,
  TIED_ADAM_STATES,
  type TiedAdamStates,
} from "./bench/methods/spd/config.ts";
export { spdMethod } from "./bench/methods/spd/method.ts";
export {
  type DenseBudget,
  denseBudget,
  type DenseBudgetLine,
  denseImportanceFloor,
  type EquilibriumAgreement,
  equilibriumAgreement,
  equilibriumImportances,
  importanceEquilibrium,
  reconstructionWeight,
} from "./bench/methods/spd/ci_equilibrium.ts";
export {
  type LossSample,
  type ProgressFn,
  type SpdTrainResult,
  trainSpd,
} from "./bench/methods/spd/train.ts";
export {
  ALIVE_THRESHOLD,
  EVAL_CHUNK,
  EVAL_DATAPOINTS,
  evaluateSpd,
  type SpdEvaluation,
} from "./bench/methods/spd/evaluate.ts";
export {
  APD_TMS_5_2,
  type ApdConfig,
  ATTRIBUTION_SOURCES,
  type AttributionSource,
  resolveApdConfig,
  topkCount,
  warmupSteps,
} from "./bench/methods/apd/config.ts";
export { ablationMetrics, apdMethod, TOP1_SPLIT_ERROR } from "./bench/methods/apd/method.ts";
export {
  type ApdAblations,
  apdAblations,
  SCRUB_DATAPOINTS,
  TOP1_DATAPOINTS_PER_FEATURE,
} from "./bench/methods/apd/ablations.ts";
export { type ApdTrainResult, trainApd } from "./bench/methods/apd/train.ts";
export {
  type ApdEvaluation,
  evaluateApd,
  rowArgmax,
  rowMaxNormalised,
} from "./bench/methods/apd/evaluate.ts";
export {
  apdSummedWeight,
  componentOutputs,
  gradientAttributions,
} from "./bench/methods/apd/attributions.ts";
export { batchTopkMask, perSampleTopkMask } from "./bench/methods/apd/topk.ts";
export {
  APD_LOSS_NAMES,
  apdLosses,
  type ApdLossTerms,
  faithfulnessLoss,
  maskedLayer,
  maskedLayers,
  type ModelPass,
  passWithActivations,
  schattenPerComponent,
  simplicityLoss,
} from "./bench/methods/apd/losses.ts";
export {
  apdComponents,
  type ApdLayer,
  type ApdParams,
  initApdParams,
  normaliseAColumns,
  projectAGradient,
  xavierStd,
} from "./bench/methods/apd/params.ts";
export {
  gelu,
  lowerLeakyHardSigmoid,
  upperLeakyHardSigmoid,
} from "./bench/methods/spd/activations.ts";
export {
  type CausalImportance,
  causalImportances,
  importanceSum,
  type MaskNoise,
  type RowWeights,
  rowWeightsOf,
  SPD_LOSS_NAMES,
  spdLosses,
  type SpdLossTerms,
} from "./bench/methods/spd/losses.ts";
export {
  type CiMlpParams,
  ciMlpRaw,
  initSpdParams,
  projectionInit,
  spdComponents,
  type SpdLayer,
  type SpdParams,
} from "./bench/methods/spd/params.ts";
export {
  aliveNormRatio,
  componentNorms,
  type Recovery,
  recovery,
} from "./bench/metrics/recovery.ts";
export {
  CI_PATTERN_TAU,
  ciPatternError,
  columnPeaks,
  densePatternError,
  identityPatternError,
} from "./bench/metrics/ci_pattern.ts";
export {
  type Check,
  checkCriterion,
  type Criterion,
  type CriterionResult,
  type FailedCheck,
  residSolved,
  runSolved,
  runVerdict,
  tmsSolved,
} from "./bench/metrics/criteria.ts";
export {
  componentNeuronContributions,
  componentsPerFeature,
  contributionAgreement,
  meanComponentsPerFeature,
  type OutConnection,
  REPRESENTATION_CUTOFF,
  representationCategories,
  summedWeight,
  targetNeuronContributions,
  targetRepresentedFeatures,
} from "./bench/metrics/neuron_contributions.ts";
export { greedyIdentityOrder, maxWeightAssignment } from "./bench/metrics/assignment.ts";
export {
  type Direction,
  type Metric,
  NON_NEGLIGIBLE_NORM,
  scoreRun,
} from "./bench/metrics/score.ts";
export {
  configHash,
  decodeCurve,
  encodeNonFinite,
  makeRecord,
  parseRunRecord,
  type Provenance,
  RUN_STATUSES,
  type RunRecord,
  type RunStatus,
  SCHEMA_VERSION,
  setupHash,
  SUITE_VERSION,
  type TargetInfo,
  type Timing,
} from "./bench/records/record.ts";
export { type Job, type JobCheckpointing, runJob, type SavedRun } from "./bench/run_job.ts";
export {
  axesCells,
  cellLabel,
  gridCells,
  jobKey,
  type JobSpec,
  makeJob,
  parseShard,
  parseSweep,
  planProfileJobs,
  planSweepJobs,
  type ProfilePlan,
  shardJobs,
  sortJobs,
  type Sweep,
  SWEEP_DESIGNS,
  SWEEP_FIELDS,
  type SweepDesign,
  uniqueJobs,
} from "./bench/jobs/plan.ts";
export {
  FINISHED,
  finishedKeys,
  mergeRecords,
  outranks,
  recordKey,
} from "./bench/records/merge.ts";
export {
  type CellRobustness,
  type FailureCount,
  formatFailures,
  type MethodRobustness,
  robustness,
  wilsonInterval,
} from "./bench/metrics/robustness.ts";
export {
  RESID_EVAL_BATCH,
  RESID_MAX_LOSS_FRACTION,
  RESID_MLP_1,
  RESID_MLP_2,
  RESID_MLP_3,
  RESID_REFERENCE_LOSS,
  type ResidMlpConfig,
  residMlpToy,
  residPassThroughLoss,
} from "./bench/toys/resid_mlp.ts";
export {
  getProfile,
  type KnownIds,
  parseProfile,
  type Profile,
  profileConfig,
  type ProfileEntry,
  profileNames,
  PROFILES,
} from "./bench/profiles/profiles.ts";
export {
  type ComparePolicy,
  compareRecords,
  type CompareRow,
  type CompareStatus,
  type Comparison,
  comparisonMarkdown,
  DEFAULT_POLICY,
  type Tolerance,
  toleranceFor,
} from "./bench/records/compare.ts";
export {
  incompleteBeta,
  mean,
  studentTCdf,
  variance,
  type WelchResult,
  welchTest,
} from "./bench/metrics/stats.ts";

// ---------------------------------------------------------------------------
// Reports (issue 6): run artifacts stored in records, and the pure report
// builders (Vega-Lite specs and arquero tables from records alone).
// ---------------------------------------------------------------------------
export {
  ARTIFACTS_VERSION,
  CONTRIBUTION_KEEP_FRACTION,
  type CosineArtifact,
  type ImportanceArtifact,
  importanceArtifact,
  IMPORTANT,
  MAX_DENSE_CELLS,
  type NeuronContributionArtifact,
  round4,
  type RunArtifacts,
  runArtifacts,
} from "./bench/metrics/artifacts.ts";
export {
  CHART_CONFIG,
  CHART_FONT,
  chartId,
  makeChart,
  type ReportChart,
  specToJson,
  VEGA_LITE_SCHEMA,
  wrapText,
} from "./bench/report/chart.ts";
export { type FontMetrics, parseFontMetrics } from "./bench/report/font_metrics.ts";
export { PAPER_VALUES, type PaperValue, paperValue } from "./bench/report/paper_values.ts";
export {
  artifactRecord,
  groupSetups,
  LABEL_IGNORED_FIELDS,
  runLabel,
  type Setup,
} from "./bench/report/setups.ts";
export { recoveryChart, recoveryRows } from "./bench/report/charts/recovery.ts";
export { cellFields, robustnessCells, robustnessCharts } from "./bench/report/charts/robustness.ts";
export { ciHeatmapChart, importanceCells } from "./bench/report/charts/ci_heatmap.ts";
export { cosineCells, cosineChart } from "./bench/report/charts/cosine.ts";
export { lossCurveChart, lossRows } from "./bench/report/charts/loss_curves.ts";
export { neuronScatterChart } from "./bench/report/charts/neuron_scatter.ts";
export {
  throughputChart,
  throughputFromJson,
  throughputFromRecords,
  type ThroughputPoint,
} from "./bench/report/charts/throughput.ts";
export {
  formatCell,
  type ReportTable,
  reportTables,
  robustnessTable,
  runsTable,
  setupsTable,
  tableHtml,
  tableMarkdown,
  throughputTable,
} from "./bench/report/tables.ts";
export {
  buildReport,
  type Report,
  type ReportInput,
  reportMarkdown,
} from "./bench/report/report.ts";
export { escapeHtml, REPORT_CSP, reportHtml, type VegaBundles } from "./bench/report/html.ts";
// --- end of the reports block -----------------------------------------------

export { countFlops, type FlopCount, kernelFlops, type KernelShapes } from "./bench/speed/flops.ts";
export {
  type CellContext,
  type CellMeasurement,
  makeSpeedRecord,
  median,
  SPEED_SCHEMA_VERSION,
  type SpeedRecord,
} from "./bench/speed/speed_record.ts";
