// Probe result handling that needs no editor. Unit-tested in client/test/probe.test.ts.

export interface ProbeParams {
  uri: string;
  interpreter?: string;
  steps?: number;
  timeoutSeconds?: number;
  device?: string;
  /** Where the program runs (gradls.probe.cwd); the server expands ${workspaceFolder} and ${fileDirname}. */
  cwd?: string;
  /** A notebook's cells and their index among all its cells (the server may see only the code cells). */
  notebookCells?: { uri: string; index: number }[];
}

export type ProbeSeverity = 'error' | 'warning' | 'information';

/** How a finished probe went, beside its summary (the server adds these to the response and to probeFinished). */
export interface ProbeOutcome {
  /** "broken": a gradient is broken (exit 1); "watch": only things to watch; "ok". */
  verdict?: 'broken' | 'watch' | 'ok';
  severity?: ProbeSeverity;
  /** As `gradls probe` would exit: 0 ok, 1 a broken gradient, 2 the run failed. */
  exitCode?: number;
  broken?: string[];
  watch?: string[];
  /** Training steps a loss-scale optimizer skipped (by design). */
  skippedSteps?: number[];
  /** "1 broken: b; loss scaling: step 1 skipped by design". */
  detail?: string;
}

/** What `gradls/runProbe` answers: the machine-readable report and a readable text rendering. */
export interface ProbeResponse extends ProbeOutcome {
  report?: unknown;
  text?: string;
}

/** `gradls/probeStarted` / `gradls/probeFinished` notification parameters. */
export interface ProbeNotification extends ProbeOutcome {
  uri: string;
  status?: string;
  summary?: string;
}

export interface ProbeSummary {
  status: string;
  summary: string;
  uri?: string;
  severity?: ProbeSeverity;
  verdict?: string;
  detail?: string;
}

/** `gradls/probeReportHtml` answer: the last report of a URI as one HTML page. */
export interface ProbeReportHtml {
  uri: string;
  status?: string;
  html: string;
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
    ...(response?.severity ? { severity: response.severity } : {}),
    ...(response?.verdict ? { verdict: response.verdict } : {}),
    ...(response?.detail ? { detail: response.detail } : {}),
  };
}

/** The status-bar/notification summary of a finished probe: the server's outcome when it sent one. */
export function summaryFromNotification(p: ProbeNotification): ProbeSummary {
  const base = p.summary || p.status || 'probe finished';
  return {
    status: p.status ?? 'done',
    summary: p.detail && !base.includes(p.detail) ? `${base} (${p.detail})` : base,
    uri: p.uri,
    severity: p.severity,
    verdict: p.verdict,
    detail: p.detail,
  };
}

/** Whether a probe deserves a warning/error notification (when gradls.showNotifications allows it): the
 * server's severity (broken: error, only things to watch: warning) when it sent one, else guessed from the status. */
export function probeLevel(status: string, severity?: ProbeSeverity): 'error' | 'warning' | 'info' {
  if (severity) {
    return severity === 'information' ? 'info' : severity;
  }
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

export type OpenReportSetting = 'never' | 'onProblems' | 'always';

/** gradls.probe.openReport: open the report webview after a probe? "onProblems": something broken or to watch. */
export function shouldOpenReport(setting: string | undefined, summary: ProbeSummary): boolean {
  if (setting === 'always') {
    return summary.status !== 'cancelled';
  }
  if (setting === 'never') {
    return false;
  }
  return summary.verdict === 'broken' || summary.verdict === 'watch';
}

/** A location the report webview asked to open ({command: "open", file, line, cell?}); undefined if malformed. */
export interface ReportLocation {
  file: string;
  line: number;
  cell?: number;
}

export function parseOpenMessage(message: unknown): ReportLocation | undefined {
  if (!message || typeof message !== 'object') {
    return undefined;
  }
  const m = message as Record<string, unknown>;
  const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  // absolute paths only: the page names files the probe saw, never relative to something the page decides
  if (m.command !== 'open' || typeof m.file !== 'string' || !(m.file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(m.file))) {
    return undefined;
  }
  if (!positiveInt(m.line)) {
    return undefined;
  }
  const location: ReportLocation = { file: m.file, line: m.line as number };
  if (m.cell !== undefined) {
    if (!positiveInt(m.cell)) {
      return undefined;
    }
    location.cell = m.cell as number;
  }
  return location;
}
