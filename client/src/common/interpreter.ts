// Which Python runs the server and which runs the probe, and why. No editor needed; unit-tested.

export type InterpreterSource = 'gradls.interpreter' | 'gradls.probe.interpreter' | 'python-extension' | 'server' | 'default';

export interface InterpreterChoice {
  command: string[]; // executable + leading arguments
  source: InterpreterSource;
  reason: string;
}

export const DEFAULT_PYTHON = 'python3';

/**
 * The server's interpreter.
 * - An explicit `gradls.interpreter` wins (the user asked for it; in Restricted Mode only its user-level value
 *   is passed in, VS Code drops workspace values of restricted settings).
 * - Then the Python extension's selected environment, when that extension is installed and the workspace is trusted
 *   (in Restricted Mode a workspace-selected environment could be a venv inside the untrusted folder).
 * - Then `python3` from PATH.
 */
export function chooseServerInterpreter(opts: {
  setting: string[];
  pythonExtension?: string;
  pythonExtensionInstalled: boolean;
  trusted: boolean;
}): InterpreterChoice {
  const setting = opts.setting.filter((s) => s.trim() !== '');
  if (setting.length > 0) {
    return { command: setting, source: 'gradls.interpreter', reason: 'set in gradls.interpreter' };
  }
  if (opts.pythonExtension) {
    if (opts.trusted) {
      return {
        command: [opts.pythonExtension],
        source: 'python-extension',
        reason: "the Python extension's selected environment",
      };
    }
  }
  let why: string;
  if (!opts.trusted && opts.pythonExtension) {
    why = "Restricted Mode: the Python extension's workspace environment is not used until the folder is trusted";
  } else if (opts.pythonExtensionInstalled) {
    why = 'gradls.interpreter is empty and the Python extension reported no environment';
  } else {
    why = 'gradls.interpreter is empty and the Python extension is not installed';
  }
  return { command: [DEFAULT_PYTHON], source: 'default', reason: `${why}; using ${DEFAULT_PYTHON} from PATH` };
}

/**
 * The probe's interpreter for one workspace folder: the one with TensorFlow.
 * `gradls.probe.interpreter` (per folder) > the Python extension's environment for that folder > `gradls.interpreter` > the server's.
 */
export function chooseProbeInterpreter(opts: {
  probeSetting: string[];
  pythonExtension?: string;
  serverSetting: string[];
  server?: string[];
}): InterpreterChoice {
  const probe = opts.probeSetting.filter((s) => s.trim() !== '');
  if (probe.length) {
    return { command: probe, source: 'gradls.probe.interpreter', reason: 'set in gradls.probe.interpreter' };
  }
  if (opts.pythonExtension) {
    return { command: [opts.pythonExtension], source: 'python-extension', reason: "the Python extension's environment for this folder" };
  }
  const server = opts.serverSetting.filter((s) => s.trim() !== '');
  if (server.length) {
    return { command: server, source: 'gradls.interpreter', reason: 'gradls.interpreter (no probe-specific interpreter set)' };
  }
  if (opts.server?.length) {
    return { command: opts.server, source: 'server', reason: "the server's interpreter" };
  }
  return { command: [DEFAULT_PYTHON], source: 'default', reason: `${DEFAULT_PYTHON} from PATH` };
}

/** A VS Code command and its arguments. */
export interface CommandCall {
  command: string;
  args: unknown[];
}

export const OPEN_PROBE_INTERPRETER_SETTING: CommandCall = { command: 'workbench.action.openSettings', args: ['gradls.probe.interpreter'] };

/**
 * What "Select Python Interpreter" in the server's missing-TensorFlow message opens: the Python extension's picker,
 * unless `gradls.probe.interpreter` is set (it wins over the picker's choice, see chooseProbeInterpreter), then that setting.
 */
export function probeInterpreterPicker(probeSetting: string[]): CommandCall {
  if (probeSetting.some((s) => s.trim() !== '')) {
    return OPEN_PROBE_INTERPRETER_SETTING;
  }
  return { command: 'python.setInterpreter', args: [] };
}

/** Runs tasks one at a time; while one runs, further requests collapse into a single queued run (restart storms). */
export class Serializer {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  run(task: () => Promise<void>): Promise<void> {
    if (!this.running) {
      this.running = task().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.queued) {
      const previous = this.running;
      this.queued = previous
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.run(task);
        });
    }
    return this.queued;
  }
}
