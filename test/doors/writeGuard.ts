/**
 * A region that refuses every write: each route, tag and alarm write is recorded and throws, so a
 * path that writes fails its test even where the controller catches the error (memory writes,
 * alarm upkeep and route writes all catch and log).
 */
import type { AlarmStore } from '../../src/events/signals';
import type { AlarmSpec, ExistingAlarm } from '../../src/events/alarmSpecs';
import { MemoryCloud } from '../reconcile/memoryCloud';

export class WriteRefusingCloud extends MemoryCloud {
  readonly writes: string[] = [];
  override async replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void> {
    this.writes.push(`ReplaceRoute ${routeTableId} ${destination} -> ${natGatewayId}`);
    throw new Error('write refused: dry-run deployment');
  }
  override async createTags(ids: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    this.writes.push(`CreateTags ${ids.join(',')} ${Object.keys(tags).join(',')}`);
    throw new Error('write refused: dry-run deployment');
  }
  override async deleteTags(ids: readonly string[], keys: readonly string[]): Promise<void> {
    this.writes.push(`DeleteTags ${ids.join(',')} ${keys.join(',')}`);
    throw new Error('write refused: dry-run deployment');
  }
  /** Turns a region built by a fixture into one that refuses writes. */
  static from(c: MemoryCloud): WriteRefusingCloud {
    const w = new WriteRefusingCloud(c.zones, c.nats);
    for (const t of c.tables.values()) w.addTable(t);
    return w;
  }
}

/** Managed alarms: none exist yet (so upkeep would create them); every put or delete is refused. */
export class WriteRefusingAlarms implements AlarmStore {
  constructor(
    private readonly writes: string[],
    private readonly existing: ExistingAlarm[] = [],
  ) {}
  async list(): Promise<ExistingAlarm[]> {
    return [...this.existing];
  }
  async put(spec: AlarmSpec): Promise<void> {
    this.writes.push(`PutMetricAlarm ${spec.name}`);
    throw new Error('write refused: dry-run deployment');
  }
  async remove(names: readonly string[]): Promise<void> {
    this.writes.push(`DeleteAlarms ${names.join(',')}`);
    throw new Error('write refused: dry-run deployment');
  }
}
