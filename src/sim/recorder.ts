import type { Notification, Notifier, Recorder } from '../reconcile/ports';

export interface LogEntry {
  readonly at: Date;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/** Keeps the controller's log lines and counters in memory, for the drill's timeline. */
export class MemoryRecorder implements Recorder {
  readonly logs: LogEntry[] = [];
  readonly counters: { metric: string; value: number; dimensions?: Readonly<Record<string, string>> }[] = [];
  constructor(private readonly now: () => Date) {}
  info(message: string, data: Record<string, unknown> = {}): void {
    this.logs.push({ at: this.now(), level: 'info', message, data });
  }
  warn(message: string, data: Record<string, unknown> = {}): void {
    this.logs.push({ at: this.now(), level: 'warn', message, data });
  }
  error(message: string, data: Record<string, unknown> = {}): void {
    this.logs.push({ at: this.now(), level: 'error', message, data });
  }
  count(metric: string, value: number, dimensions?: Readonly<Record<string, string>>): void {
    this.counters.push({ metric, value, dimensions });
  }
}

export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(n: Notification): Promise<void> {
    this.sent.push(n);
  }
}
