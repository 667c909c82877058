// Settings logic that needs no editor: the payload the server receives, variable expansion, and which
// setting changes need a server restart. Unit-tested in client/test/settings.test.ts.

export type LintRun = 'onType' | 'onSave';
export type ProbeDevice = 'auto' | 'cpu' | 'gpu';
export type Notifications = 'off' | 'onError' | 'onWarning' | 'always';
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** What the server reads, in `initializationOptions.settings` and `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  enable: boolean;
  select: string[];
  ignore: string[];
  severity: Record<string, Severity>;
  lint: { run: LintRun };
  exclude: string[];
  showNotifications: Notifications;
  probe: {
    interpreter?: string;
    timeoutSeconds: number;
    steps: number;
    device: ProbeDevice;
    warmWorker: boolean;
    /** Where the probe runs the program; absent: the workspace folder holding it. */
    cwd?: string;
  };
}

/** Reads one `gradls.` key (e.g. "lint.run"); a thin view over `WorkspaceConfiguration.get`. */
export type Getter = <T>(key: string) => T | undefined;

const SEVERITIES: Severity[] = ['error', 'warning', 'information', 'hint'];
const SEVERITY_ALIASES: Record<string, Severity> = {
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  information: 'information',
  info: 'information',
  hint: 'hint',
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()) : [];
}

function positive(value: unknown, fallback: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return fallback;
  }
  return integer ? Math.max(1, Math.round(value)) : value;
}

/**
 * Normalises the severity map: case-insensitive values, codes upper-cased. Unknown values are dropped
 * (reported in `invalid`) so they fall back to the server's documented default, never silently to error.
 */
export function normalizeSeverity(raw: unknown): { severity: Record<string, Severity>; invalid: string[] } {
  const severity: Record<string, Severity> = {};
  const invalid: string[] = [];
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [code, value] of Object.entries(raw as Record<string, unknown>)) {
      const s = typeof value === 'string' ? SEVERITY_ALIASES[value.trim().toLowerCase()] : undefined;
      if (s && code.trim()) {
        severity[code.trim().toUpperCase()] = s;
      } else {
        invalid.push(`${code}=${JSON.stringify(value)}`);
      }
    }
  }
  return { severity, invalid };
}

export function buildServerSettings(get: Getter, probeInterpreter?: string, probeCwd?: string): ServerSettings {
  const enable = get<boolean>('enable');
  const cwd = probeCwd ?? get<string>('probe.cwd');
  return {
    enable: enable === undefined ? true : Boolean(enable),
    select: stringList(get('select')).map((c) => c.toUpperCase()),
    ignore: stringList(get('ignore')).map((c) => c.toUpperCase()),
    severity: normalizeSeverity(get('severity')).severity,
    lint: { run: oneOf<LintRun>(get('lint.run'), ['onType', 'onSave'], 'onType') },
    exclude: stringList(get('exclude')),
    showNotifications: oneOf<Notifications>(get('showNotifications'), ['off', 'onError', 'onWarning', 'always'], 'off'),
    probe: {
      ...(probeInterpreter ? { interpreter: probeInterpreter } : {}),
      timeoutSeconds: positive(get('probe.timeoutSeconds'), 120, false),
      steps: positive(get('probe.steps'), 3, true),
      device: oneOf<ProbeDevice>(get('probe.device'), ['auto', 'cpu', 'gpu'], 'auto'),
      warmWorker: get('probe.warmWorker') === true,
      ...(typeof cwd === 'string' && cwd.trim() ? { cwd: cwd.trim() } : {}),
    },
  };
}

export { SEVERITIES };

/** Changing one of these restarts the server (it decides which process runs and what it imports). */
export const RESTART_SETTINGS = ['gradls.interpreter', 'gradls.importStrategy'];
/** Changing one of these is sent to the running server, which re-diagnoses open files. */
export const RESEND_SETTINGS = [
  'gradls.enable',
  'gradls.select',
  'gradls.ignore',
  'gradls.severity',
  'gradls.lint.run',
  'gradls.exclude',
  'gradls.showNotifications',
  'gradls.probe',
];

export type ConfigChange = 'restart' | 'resend' | 'none';

export function classifyConfigChange(affects: (section: string) => boolean): ConfigChange {
  if (RESTART_SETTINGS.some(affects)) {
    return 'restart';
  }
  if (RESEND_SETTINGS.some(affects)) {
    return 'resend';
  }
  return 'none';
}

export interface VariableContext {
  userHome: string;
  workspaceFolder?: string;
  /** name -> path, for ${workspaceFolder:name} */
  workspaceFolders?: Record<string, string>;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/**
 * gradls.probe.cwd with the variables only the editor knows expanded (${userHome}, ${env:NAME},
 * ${workspaceFolder:name}, ~); ${workspaceFolder} and ${fileDirname} are left for the server, which knows which
 * folder holds the probed file. Empty: undefined (the server's default, the workspace folder).
 */
export function resolveProbeCwd(value: unknown, ctx: VariableContext): string | undefined {
  if (typeof value !== 'string' || !value.trim()) {
    return undefined;
  }
  // without a workspaceFolder in the context, resolveVariables leaves ${workspaceFolder} (and ${cwd}) as written
  return resolveVariables([value.trim()], { ...ctx, workspaceFolder: undefined, cwd: undefined })[0];
}

/** Expands ${userHome}, ${workspaceFolder}, ${workspaceFolder:name}, ${cwd}, ${env:NAME} and a leading ~. */
export function resolveVariables(values: string[], ctx: VariableContext): string[] {
  return values.map((value) => {
    let v = value.replace(/\$\{(userHome|workspaceFolder|cwd)\}|\$\{workspaceFolder:([^}]+)\}|\$\{env:([^}]+)\}/g, (m, simple, folderName, envName) => {
      if (simple === 'userHome') {
        return ctx.userHome;
      }
      if (simple === 'workspaceFolder') {
        return ctx.workspaceFolder ?? m;
      }
      if (simple === 'cwd') {
        return ctx.cwd ?? ctx.workspaceFolder ?? m;
      }
      if (folderName) {
        return ctx.workspaceFolders?.[folderName] ?? m;
      }
      return ctx.env?.[envName] ?? '';
    });
    if (v === '~' || v.startsWith('~/')) {
      v = ctx.userHome + v.slice(1);
    }
    return v;
  });
}
