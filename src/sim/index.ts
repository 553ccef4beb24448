export { VirtualClock } from './clock';
export { seededRandom } from './random';
export { TokenBucket, type BucketSpec } from './buckets';
export { buildWorld, type World, type WorldOptions } from './world';
export { SimRegion, SimulatedCrash, SIM_DEFAULTS, type SimOptions, type Truth, type Mutation } from './region';
export { MemoryRecorder, MemoryNotifier } from './recorder';
