// Probe result handling that needs no editor. Unit-tested in client/test/probe.test.ts.

export interface ProbeParams {
  uri: string;
  interpreter?: string;
  steps?: number;
  timeoutSeconds?: number;
  device?: string;
  /** A notebook's cells and their index among all its cells (the server may see only the code cells). */
  notebookCells?: { uri: string; index: number }[];
}

/** What `gradls/runProbe` answers: the machine-readable report and a readable text rendering. */
export interface ProbeResponse {
  report?: unknown;
  text?: string;
}

/** `gradls/probeStarted` / `gradls/probeFinished` notification parameters. */
export interface ProbeNotification {
  uri: string;
  status?: string;
  summary?: string;
}

export interface ProbeSummary {
  status: string;
  summary: string;
}

function field(obj: unknown, key: string): unknown {
  return obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** One line for the status item: from the report's status/summary when present, else the text's first line. */
export function summarizeProbe(response: ProbeResponse | null | undefined): ProbeSummary {
  const report = response?.report;
  const status = field(report, 'status');
  const summary = field(report, 'summary');
  const firstLine = (response?.text ?? '').split(/\r?\n/).find((l) => l.trim() !== '')?.trim();
  return {
    status: typeof status === 'string' ? status : 'done',
    summary: typeof summary === 'string' && summary ? summary : firstLine || 'probe finished',
  };
}

/** Whether a probe status deserves a warning/error notification (when gradls.showNotifications allows it). */
export function probeLevel(status: string): 'error' | 'warning' | 'info' {
  const s = status.toLowerCase();
  if (['error', 'failed', 'timeout', 'crashed', 'refused', 'cancelled'].some((w) => s.includes(w))) {
    return 'error';
  }
  if (['vanish', 'none', 'zero', 'problem', 'warning', 'found'].some((w) => s.includes(w))) {
    return 'warning';
  }
  return 'info';
}

export function shouldNotify(setting: string, level: 'error' | 'warning' | 'info'): boolean {
  switch (setting) {
    case 'always':
      return true;
    case 'onWarning':
      return level === 'warning' || level === 'error';
    case 'onError':
      return level === 'error';
    default:
      return false;
  }
}
