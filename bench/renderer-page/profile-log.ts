/** What the bench page records for its driver: React Profiler callbacks of the whole app and of each session row. */
import type { ProfilerOnRenderCallback } from 'react';

/** One Profiler callback. */
export interface Render {
  readonly id: string;
  readonly phase: string;
  readonly actualDuration: number;
  readonly baseDuration: number;
  readonly commitTime: number;
}

/** The log, read by the bench driver as `window.benchLog`. */
export interface BenchLog {
  readonly app: Render[];
  readonly rows: Render[];
  /** Main-thread tasks of 50 ms or more (Long Tasks API), in ms since the page's start. */
  readonly longTasks: { readonly start: number; readonly duration: number }[];
  /** Whether the rows of the first commit with rows reach past the bottom of the window. */
  firstRowsBelowWindow: boolean;
}

export const log: BenchLog = { app: [], rows: [], longTasks: [], firstRowsBelowWindow: false };
(window as unknown as { benchLog: BenchLog }).benchLog = log;

const record = (into: Render[]): ProfilerOnRenderCallback => (id, phase, actualDuration, baseDuration, _start, commitTime) => {
  into.push({ id, phase, actualDuration, baseDuration, commitTime });
};

export const onAppRender = record(log.app);
export const onRowRender = record(log.rows);
