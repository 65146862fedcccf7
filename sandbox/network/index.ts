// Local emulator of a DePIN GPU network's node API, plus the fleet generator and simulator.
export {
  startNetworkSandbox,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  type NetworkFailure,
  type NetworkSandbox,
  type NetworkSandboxOptions,
  type RecordedRequest,
} from './network-sandbox';
export {
  generateFleet,
  fakeSolanaWallet,
  FAKE_SIGNALS,
  type FakeCardCluster,
  type FakeCardOptions,
  type FakeSignal,
  type GeneratedFleet,
  type GenerateFleetOptions,
} from './fleet';
export {
  createFleetSimulator,
  FleetSimulator,
  type ChangeCause,
  type ScheduledOutage,
  type SimHeartbeat,
  type SimNode,
  type SimulatorOptions,
  type StatusChange,
  type StatusTarget,
} from './simulator';
export { GPU_MODELS, benchmarkRatio, findGpuModel, type GpuModelSpec } from './gpu-models';
export { Prng } from './prng';
export type { NetworkNode, NodesPage, NodeStatus } from './types';
export {
  startRealNetworksSandbox,
  type OutageMode,
  type RealNetwork,
  type RealNetworksOptions,
  type RealNetworksSandbox,
  type RealRequest,
} from './real-networks';
export { IONET_DOCUMENTED_LIMITS, type IonetDevice, type IonetLimit, type IonetStatus } from './ionet-api';
export type { NosanaNode, NosanaState } from './nosana-api';
export type { AkashProvider } from './akash-api';
export * as timelines from './timelines';
