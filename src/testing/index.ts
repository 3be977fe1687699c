/**
 * `aixplain-llm/testing` (Node only): a mock of the aiXplain model API for your app's tests,
 * with scenarios for every behaviour the package handles and a contract check of every request
 * and answer against the bundled OpenAPI document. Needs `@stoplight/prism-cli` (an optional
 * peer dependency): `npm i -D @stoplight/prism-cli@5.14.2`.
 *
 * @module aixplain-llm/testing
 */
export {
  type MockOptions,
  type MockServer,
  type ProxyOptions,
  readViolations,
  startMock,
  startProxy,
} from './mock.js';
export { PRISM_VERSION, PrismNotInstalledError } from './prism.js';
export { SCENARIO_HEADER, SCENARIOS, type ScenarioKind } from './scenario-server.js';
export type { Violation } from './violations.js';
