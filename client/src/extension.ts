// gradls VS Code client: finds a Python >= 3.10, launches `python -m gradls` (bundled libraries first on
// PYTHONPATH), forwards settings, and drives the gradient probe.
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import {
  chooseProbeInterpreter,
  chooseServerInterpreter,
  InterpreterChoice,
  OPEN_PROBE_INTERPRETER_SETTING,
  probeInterpreterPicker,
  Serializer,
} from './common/interpreter';
import {
  ProbeNotification,
  ProbeParams,
  ProbeReportHtml,
  ProbeResponse,
  ProbeSummary,
  probeLevel,
  shouldNotify,
  shouldOpenReport,
  summarizeProbe,
  summaryFromNotification,
} from './common/probe';
import {
  ImportStrategy,
  nativeBuilds,
  INTERPRETER_CHECK_SCRIPT,
  InterpreterInfo,
  joinPythonPath,
  parseInterpreterInfo,
  planServerLaunch,
  ServerLaunchPlan,
  unsupportedReason,
  versionString,
} from './common/python';
import { buildServerSettings, classifyConfigChange, normalizeSeverity, resolveProbeCwd, resolveVariables, ServerSettings } from './common/settings';
import { PythonEnvironments } from './pythonEnv';
import { ProbeReportPanel, ReportPanelState } from './reportPanel';
import { StatusItem } from './status';

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export interface ProbeCommandResult {
  ok: boolean;
  refused?: boolean;
  cancelled?: boolean;
  reason?: string;
  response?: ProbeResponse;
  summary?: ProbeSummary;
  interpreter?: string;
}

/** Returned from activate(); used by the extension-host tests and available to other extensions. */
export interface GradlsApi {
  /** Resolves when the current (re)start attempt has finished, successfully or not. */
  ready(): Promise<ServerState>;
  state(): ServerState;
  client(): LanguageClient | undefined;
  server(): { choice: InterpreterChoice; info?: InterpreterInfo; plan?: ServerLaunchPlan } | undefined;
  lastProbe(): ProbeSummary | undefined;
  runProbe(uri?: vscode.Uri): Promise<ProbeCommandResult>;
  /** Sends gradls/runProbe without the client-side trust check (tests use it to see the server refuse). */
  sendProbeRequest(params: ProbeParams, token?: vscode.CancellationToken): Promise<ProbeResponse>;
  ruleDocumentation(code: string): Promise<string>;
  restart(reason?: string): Promise<void>;
  /** The probe report webview: shown for `uri`'s last probe (default: the last probe run). */
  showProbeReport(uri?: vscode.Uri): Promise<ReportPanelState | undefined>;
  probeReport(): ReportPanelState;
  /** What a click in the report webview does with its message ({command: "open", file, line, cell?}). */
  openReportLocation(message: unknown): Promise<vscode.TextEditor | undefined>;
}

const PROBE_REQUEST = 'gradls/runProbe';
const PROBE_STARTED = 'gradls/probeStarted';
const PROBE_FINISHED = 'gradls/probeFinished';
const PROBE_REPORT_HTML = 'gradls/probeReportHtml';
const SHOW_REPORT_ACTION = 'Show Report';
// The user picked "Select Python Interpreter" in the server's missing-TensorFlow message.
const SELECT_INTERPRETER = 'gradls/selectInterpreter';

function execFile(
  command: string,
  args: string[],
  options: cp.ExecFileOptions,
  token?: vscode.CancellationToken,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = cp.execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(Object.assign(err, { stdout: String(stdout), stderr: String(stderr) }));
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
    token?.onCancellationRequested(() => child.kill());
  });
}

/** A LanguageClient whose own error pop-ups ("couldn't create connection", ...) obey gradls.showNotifications. */
class GradlsLanguageClient extends LanguageClient {
  constructor(
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    private readonly popupsAllowed: () => boolean,
  ) {
    super('gradls', 'gradls', serverOptions, clientOptions);
  }

  override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
    // always logged to the gradls channel; shown as a pop-up only when the user asked for error notifications
    super.error(message, data, this.popupsAllowed() ? showNotification : false);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The URI a command argument names: a URI (explorer, tests), a notebook (its toolbar) or a notebook cell. */
function probeTargetOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) {
    return arg;
  }
  const shaped = arg as { uri?: unknown; document?: { uri?: unknown }; notebookType?: unknown } | undefined;
  if (shaped && typeof shaped.notebookType === 'string' && shaped.uri instanceof vscode.Uri) {
    return shaped.uri;
  }
  if (shaped?.document?.uri instanceof vscode.Uri) {
    return shaped.document.uri;
  }
  return undefined;
}

class Gradls implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private serverState: ServerState = 'stopped';
  private serverInfo: { choice: InterpreterChoice; info?: InterpreterInfo; plan?: ServerLaunchPlan; env?: NodeJS.ProcessEnv } | undefined;
  private readonly serializer = new Serializer();
  private starting: Promise<ServerState> = Promise.resolve('stopped');
  private readonly python: PythonEnvironments;
  private readonly status: StatusItem;
  private readonly reportPanel: ProbeReportPanel;
  private probe: ProbeSummary | undefined;
  private probeRunning = false;
  private probeFinishedCount = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private configTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.python = new PythonEnvironments(log);
    this.status = new StatusItem();
    this.reportPanel = new ProbeReportPanel(log);
    this.disposables.push(this.python, this.status, this.reportPanel);
  }

  private config(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('gradls', scope);
  }

  private notifications(): string {
    return this.config().get<string>('showNotifications', 'off');
  }

  /** A pop-up when gradls.showNotifications allows it; `actions` are extra buttons besides "Show Logs". */
  private notify(level: 'error' | 'warning' | 'info', message: string, actions: Record<string, () => unknown> = {}): void {
    if (!shouldNotify(this.notifications(), level)) {
      return;
    }
    const show =
      level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`gradls: ${message}`, ...Object.keys(actions), 'Show Logs').then((pick) => {
      if (pick && actions[pick]) {
        actions[pick]();
      } else if (pick) {
        this.log.show(true);
      }
    });
  }

  private variables(folder?: vscode.WorkspaceFolder) {
    const folders = vscode.workspace.workspaceFolders ?? [];
    return {
      userHome: os.homedir(),
      workspaceFolder: (folder ?? folders[0])?.uri.fsPath,
      workspaceFolders: Object.fromEntries(folders.map((f) => [f.name, f.uri.fsPath])),
      env: process.env,
    };
  }

  /** gradls.interpreter; in Restricted Mode only its user-level value counts. */
  private interpreterSetting(key: 'interpreter' | 'probe.interpreter', folder?: vscode.WorkspaceFolder): string[] {
    const config = this.config(folder?.uri);
    const value = vscode.workspace.isTrusted ? config.get<string[]>(key, []) : (config.inspect<string[]>(key)?.globalValue ?? []);
    return resolveVariables(Array.isArray(value) ? value : [], this.variables(folder));
  }

  private async probeInterpreter(folder: vscode.WorkspaceFolder | undefined): Promise<InterpreterChoice> {
    return chooseProbeInterpreter({
      probeSetting: this.interpreterSetting('probe.interpreter', folder),
      pythonExtension: await this.python.executable(folder?.uri),
      serverSetting: this.interpreterSetting('interpreter', folder),
      server: this.serverInfo?.info ? [this.serverInfo.info.executable] : this.serverInfo?.choice.command,
    });
  }

  /** The settings payload the server sees for one scope (a folder, a file, or the window). */
  async settingsFor(scope: vscode.Uri | undefined): Promise<ServerSettings> {
    const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
    const config = this.config(scope ?? folder?.uri);
    const probe = vscode.workspace.isTrusted ? (await this.probeInterpreter(folder)).command[0] : undefined;
    const bad = normalizeSeverity(config.get('severity')).invalid;
    if (bad.length) {
      this.log.warn(`gradls.severity: ignoring ${bad.join(', ')} (use error, warning, information or hint)`);
    }
    const cwd = resolveProbeCwd(config.get('probe.cwd'), this.variables(folder));
    return buildServerSettings(<T>(key: string) => config.get<T>(key), probe, cwd);
  }

  async activate(): Promise<GradlsApi> {
    const subs = this.context.subscriptions;
    subs.push(this);
    subs.push(
      vscode.commands.registerCommand('gradls.restart', () => this.restart('command')),
      vscode.commands.registerCommand('gradls.showLogs', () => this.log.show()),
      vscode.commands.registerCommand('gradls.runProbe', (arg?: unknown) => this.runProbe(probeTargetOf(arg))),
      vscode.commands.registerCommand('gradls.showProbeReport', (arg?: unknown) => this.showProbeReport(probeTargetOf(arg))),
      vscode.commands.registerCommand('gradls.showRuleDocumentation', (arg?: unknown) => this.showRuleDocumentation(arg)),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('workspace trusted: restarting with the workspace interpreter; the probe is now available');
        void this.restart('workspace trust granted');
      }),
    );
    await this.python.initialize(() => {
      if (this.serverInfo?.choice.source === 'python-extension') {
        void this.restart('Python environment changed');
      } else {
        void this.sendConfiguration();
      }
    });
    void this.restart('activation');
    const api: GradlsApi = {
      ready: () => this.starting,
      state: () => this.serverState,
      client: () => this.client,
      server: () => this.serverInfo && { choice: this.serverInfo.choice, info: this.serverInfo.info, plan: this.serverInfo.plan },
      lastProbe: () => this.probe,
      runProbe: (uri) => this.runProbe(uri),
      sendProbeRequest: (params, token) => this.sendProbeRequest(params, token),
      ruleDocumentation: (code) => this.ruleDocumentation(code),
      restart: (reason) => this.restart(reason ?? 'api'),
      showProbeReport: (uri) => this.showProbeReport(uri),
      probeReport: () => this.reportPanel.state(),
      openReportLocation: (message) => this.reportPanel.open(message),
    };
    return api;
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    const change = classifyConfigChange((section) => e.affectsConfiguration(section));
    if (change === 'restart') {
      void this.restart('settings changed');
    } else if (change === 'resend') {
      // a burst of edits (settings UI) becomes one notification
      clearTimeout(this.configTimer);
      this.configTimer = setTimeout(() => void this.sendConfiguration(), 100);
    }
  }

  private async sendConfiguration(): Promise<void> {
    if (!this.client || this.client.state !== State.Running) {
      return;
    }
    const settings = await this.settingsFor(undefined);
    this.log.info(`settings changed: ${JSON.stringify(settings)}`);
    await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { gradls: settings } });
  }

  private setState(state: ServerState, detail?: string): void {
    this.serverState = state;
    this.status.update({ state, detail, probe: this.probe, probeRunning: this.probeRunning });
  }

  restart(reason: string): Promise<void> {
    const run = this.serializer.run(async () => {
      this.log.info(`(re)starting the server: ${reason}`);
      await this.stop();
      await this.start();
    });
    this.starting = run.then(
      () => this.serverState,
      () => this.serverState,
    );
    return run;
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(3000);
      } catch (err) {
        this.log.warn(`stopping the server: ${String(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.setState('stopped');
  }

  private async interpreterInfo(command: string[]): Promise<InterpreterInfo> {
    const { stdout } = await execFile(command[0], [...command.slice(1), '-c', INTERPRETER_CHECK_SCRIPT], {
      // not the workspace and not /tmp: a module file there would shadow what the script imports
      cwd: this.context.extensionPath,
      env: { ...process.env, PYTHONSAFEPATH: '1' },
      timeout: 20000,
    });
    return parseInterpreterInfo(stdout);
  }

  private bundledDirs(): { libs?: string; native: Map<string, string> } {
    const root = this.context.asAbsolutePath('bundled');
    const libs = path.join(root, 'libs');
    const native = new Map<string, string>();
    try {
      // bundled/native/<platform>-<machine>/libcst/native.cpython-3XY-*.so, one per CPython minor
      for (const platform of fs.readdirSync(path.join(root, 'native'))) {
        const dir = path.join(root, 'native', platform);
        for (const [key, folder] of nativeBuilds(platform, dir, safeReaddir(path.join(dir, 'libcst')))) {
          native.set(key, folder);
        }
      }
    } catch {
      // no native builds in this vsix (a universal build)
    }
    return { libs: fs.existsSync(path.join(libs, 'gradls')) ? libs : undefined, native };
  }

  private async start(): Promise<void> {
    this.setState('starting');
    const trusted = vscode.workspace.isTrusted;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const choice = chooseServerInterpreter({
      setting: this.interpreterSetting('interpreter'),
      pythonExtension: trusted ? await this.python.executable(folder?.uri) : undefined,
      pythonExtensionInstalled: this.python.installed(),
      trusted,
    });
    this.serverInfo = { choice };
    let info: InterpreterInfo;
    try {
      info = await this.interpreterInfo(choice.command);
    } catch (err) {
      const detail = String((err as { stderr?: string }).stderr ?? '').trim().split('\n').slice(-3).join(' | ') || (err as Error).message.split('\n')[0];
      const msg = `cannot run ${choice.command.join(' ')} (${choice.reason}): ${detail}. Select a Python >= 3.10 with "Python: Select Interpreter" or set gradls.interpreter.`;
      this.log.error(msg);
      this.setState('error', 'no usable Python');
      this.notify('error', msg);
      return;
    }
    this.serverInfo.info = info;
    const tooOld = unsupportedReason(info);
    if (tooOld) {
      const msg = `${tooOld} (${info.executable}, ${choice.reason}). Select a newer interpreter or set gradls.interpreter.`;
      this.log.error(msg);
      this.setState('error', `Python ${versionString(info)} < 3.10`);
      this.notify('error', msg);
      return;
    }
    const strategy: ImportStrategy = trusted ? this.config().get<ImportStrategy>('importStrategy', 'useBundled') : 'useBundled';
    const bundled = this.bundledDirs();
    const plan = planServerLaunch({ strategy, info, bundledLibs: bundled.libs, nativeDirs: bundled.native });
    this.serverInfo.plan = plan;
    this.log.info(`server interpreter: ${info.executable} (Python ${versionString(info)}), because ${choice.reason}`);
    this.log.info(`server packages: ${plan.source}, because ${plan.reason}`);
    if (!trusted) {
      this.log.info('Restricted Mode: static checks only; the probe and workspace-configured interpreters are off until the folder is trusted');
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      PYTHONIOENCODING: 'utf-8',
      PYTHONSAFEPATH: '1', // the working directory never shadows the server's imports
      GRADLS_IMPORT_STRATEGY: strategy,
    };
    const pythonPath = joinPythonPath(plan.pythonPath, process.env.PYTHONPATH, path.delimiter);
    if (pythonPath) {
      env.PYTHONPATH = pythonPath;
    }
    this.serverInfo.env = env;
    const serverOptions: ServerOptions = {
      command: choice.command[0],
      args: [...choice.command.slice(1), '-m', 'gradls'],
      // not the workspace: `python -m` puts the working directory on sys.path (PYTHONSAFEPATH needs 3.11)
      options: { cwd: this.context.extensionPath, env },
    };
    const settings = await this.settingsFor(undefined);
    this.log.info(`settings: ${JSON.stringify(settings)}`);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
        // python cells of Jupyter notebooks: the server advertises notebookDocumentSync, so the client
        // syncs them with notebookDocument/* (the whole notebook analysed as one program) and asks for
        // code actions, hovers and diagnostics per cell
        { notebook: 'jupyter-notebook', language: 'python' },
      ],
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: { settings, trusted },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/pyproject.toml'),
      },
      initializationFailedHandler: (error) => {
        this.log.error(`server initialization failed: ${String(error)}`);
        this.notify('error', 'the server failed to start');
        return false;
      },
      errorHandler: this.errorHandler(),
      middleware: {
        workspace: {
          // the server pulls section "gradls" per file: answer with the same payload shape as initializationOptions
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return Promise.all(
              params.items.map(async (item, i) =>
                item.section === 'gradls' ? await this.settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined) : result[i],
              ),
            );
          },
        },
      },
    };
    const client = new GradlsLanguageClient(serverOptions, clientOptions, () => shouldNotify(this.notifications(), 'error'));
    client.onDidChangeState((e) => {
      if (client !== this.client) {
        return;
      }
      if (e.newState === State.Running) {
        this.setState('running');
      } else if (e.newState === State.Stopped && this.serverState !== 'error') {
        this.setState('stopped');
      }
    });
    this.client = client;
    try {
      await client.start();
      client.onNotification(PROBE_STARTED, (p: ProbeNotification) => {
        this.log.info(`probe started for ${p.uri}`);
        this.probeRunning = true;
        this.setState(this.serverState);
      });
      client.onNotification(PROBE_FINISHED, (p: ProbeNotification) => {
        this.log.info(`probe finished for ${p.uri}: ${p.status ?? ''} ${p.summary ?? ''}`);
        this.probeRunning = false;
        this.probeFinishedCount++;
        this.probe = summaryFromNotification(p);
        this.setState(this.serverState);
      });
      client.onNotification(SELECT_INTERPRETER, () => void this.selectProbeInterpreter());
      const version = client.initializeResult?.serverInfo?.version;
      this.log.info(`server running${version ? ` (gradls ${version})` : ''}`);
      this.setState('running');
    } catch (err) {
      this.log.error(`server failed to start: ${String(err)}`);
      this.setState('error', 'failed to start');
      this.notify('error', 'the server failed to start');
    }
  }

  private errorHandler() {
    const restarts: number[] = [];
    return {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        const now = Date.now();
        restarts.push(now);
        while (restarts.length && restarts[0] < now - 3 * 60 * 1000) {
          restarts.shift();
        }
        if (restarts.length <= 4) {
          this.log.warn(`server exited; restarting (${restarts.length} in the last 3 minutes)`);
          return { action: CloseAction.Restart, handled: true };
        }
        const msg = 'server exited 5 times in 3 minutes; not restarting. Use "gradls: Restart Server" after fixing the cause (see the log).';
        this.log.error(msg);
        this.setState('error', 'crashed');
        this.notify('error', msg);
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  /** The probe's interpreter has no TensorFlow: the Python extension's picker, or the setting that overrides it. */
  private async selectProbeInterpreter(): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = active ? vscode.workspace.getWorkspaceFolder(active) : vscode.workspace.workspaceFolders?.[0];
    const picker = probeInterpreterPicker(this.interpreterSetting('probe.interpreter', folder));
    try {
      await vscode.commands.executeCommand(picker.command, ...picker.args);
    } catch (err) {
      // no Python extension: python.setInterpreter does not exist
      this.log.warn(`${picker.command} is not available (${String(err)}); opening the gradls.probe.interpreter setting`);
      await vscode.commands.executeCommand(OPEN_PROBE_INTERPRETER_SETTING.command, ...OPEN_PROBE_INTERPRETER_SETTING.args);
    }
  }

  private async sendProbeRequest(params: ProbeParams, token?: vscode.CancellationToken): Promise<ProbeResponse> {
    if (!this.client || this.client.state !== State.Running) {
      throw new Error('the gradls server is not running');
    }
    return this.client.sendRequest<ProbeResponse>(PROBE_REQUEST, params, token);
  }

  private refuse(reason: string, extra: Partial<ProbeCommandResult> = {}): ProbeCommandResult {
    this.log.warn(`probe: ${reason}`);
    this.notify('warning', reason);
    return { ok: false, refused: true, reason, ...extra };
  }

  /** The Jupyter notebook a probe target names: the notebook itself (open or on disk) or one of its cells. */
  private async notebookOf(uri: vscode.Uri | undefined): Promise<vscode.NotebookDocument | undefined> {
    if (!uri) {
      return vscode.window.activeTextEditor ? undefined : vscode.window.activeNotebookEditor?.notebook;
    }
    const key = uri.toString();
    const open = vscode.workspace.notebookDocuments.find(
      (nb) => nb.uri.toString() === key || nb.getCells().some((cell) => cell.document.uri.toString() === key),
    );
    if (open || uri.scheme === 'vscode-notebook-cell' || !uri.path.toLowerCase().endsWith('.ipynb')) {
      return open;
    }
    return vscode.workspace.openNotebookDocument(uri);
  }

  async runProbe(uri?: vscode.Uri): Promise<ProbeCommandResult> {
    if (!vscode.workspace.isTrusted) {
      return this.refuse('the gradient probe runs workspace code and is off in Restricted Mode; trust the folder to use it');
    }
    // A notebook (or one of its cells) runs its code cells in order, as the editor has them: nothing to save.
    const notebook = await this.notebookOf(uri ?? vscode.window.activeTextEditor?.document.uri);
    const target = notebook?.uri ?? uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      return this.refuse('open a Python file or a Jupyter notebook to probe');
    }
    if (this.probeRunning) {
      return this.refuse('a probe is already running');
    }
    if (notebook) {
      if (notebook.notebookType !== 'jupyter-notebook') {
        return this.refuse(`${path.basename(target.fsPath)} is not a Jupyter notebook`);
      }
      if (target.scheme !== 'file') {
        return this.refuse('save the notebook first: the probe runs it in its folder');
      }
    } else {
      const doc = await vscode.workspace.openTextDocument(target);
      if (doc.languageId !== 'python') {
        return this.refuse(`${path.basename(target.fsPath)} is not a Python file`);
      }
      if (target.scheme !== 'file') {
        return this.refuse('save the file first: the probe runs it from disk');
      }
      if (doc.isDirty && !(await doc.save())) {
        return this.refuse('the file could not be saved');
      }
    }
    const folder = vscode.workspace.getWorkspaceFolder(target);
    const choice = await this.probeInterpreter(folder);
    if (choice.command.length > 1) {
      this.log.warn(`probe: the probe runs a Python executable; ignoring the extra arguments in ${JSON.stringify(choice.command)}`);
    }
    const config = this.config(target);
    const params: ProbeParams = {
      uri: target.toString(),
      interpreter: choice.command[0],
      steps: config.get<number>('probe.steps', 3),
      timeoutSeconds: config.get<number>('probe.timeoutSeconds', 120),
      device: config.get<string>('probe.device', 'auto'),
    };
    const cwd = resolveProbeCwd(config.get('probe.cwd'), this.variables(folder));
    if (cwd) {
      params.cwd = cwd;
    }
    if (notebook) {
      params.notebookCells = notebook.getCells().map((cell) => ({ uri: cell.document.uri.toString(), index: cell.index }));
    }
    this.log.info(
      `probe: ${target.fsPath} with ${choice.command[0]} (${choice.reason}${folder ? `, folder ${folder.name}` : ''}), steps=${params.steps}, timeout=${params.timeoutSeconds}s, device=${params.device}`,
    );
    this.probeRunning = true;
    const finishedBefore = this.probeFinishedCount;
    this.status.update({ state: this.serverState, probe: this.probe, probeRunning: true });
    try {
      const response = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `gradls: probing gradients in ${path.basename(target.fsPath)}`, cancellable: true },
        (_progress, token) => this.sendProbeRequest(params, token),
      );
      // the server's gradls/probeFinished summary (when it arrived) reads better than the report's first line
      const summary = this.probeFinishedCount !== finishedBefore && this.probe ? this.probe : summarizeProbe(response);
      this.probe = summary;
      this.log.info(`probe report for ${target.fsPath}:\n${response?.text ?? JSON.stringify(response?.report, null, 2)}`);
      const showReport = () => this.showProbeReport(target).catch((err) => this.log.error(`probe report: ${String(err)}`));
      this.notify(probeLevel(summary.status, summary.severity), `probe: ${summary.summary}`, { [SHOW_REPORT_ACTION]: showReport });
      if (shouldOpenReport(config.get<string>('probe.openReport'), summary)) {
        await showReport();
      }
      return { ok: true, response, summary, interpreter: choice.command[0] };
    } catch (err) {
      const cancelled = (err as { code?: number }).code === -32800 || /cancel/i.test(String((err as Error).message));
      const reason = cancelled ? 'probe cancelled' : `probe failed: ${(err as Error).message}`;
      this.probe = { status: cancelled ? 'cancelled' : 'error', summary: reason };
      (cancelled ? this.log.info : this.log.error).call(this.log, reason);
      if (!cancelled) {
        this.notify('error', reason);
      }
      return { ok: false, cancelled, reason, interpreter: choice.command[0] };
    } finally {
      this.probeRunning = false;
      this.status.update({ state: this.serverState, probe: this.probe, probeRunning: false });
    }
  }

  /** The report webview for `uri`'s last probe (default: the last probe run); undefined when there is none yet. */
  async showProbeReport(uri?: vscode.Uri): Promise<ReportPanelState | undefined> {
    if (!vscode.workspace.isTrusted) {
      this.refuse('the gradient probe report is off in Restricted Mode; trust the folder to use it');
      return undefined;
    }
    const client = this.client;
    if (!client || client.state !== State.Running) {
      this.refuse('the gradls server is not running');
      return undefined;
    }
    // a notebook cell names its notebook, whose probe it was
    const notebook = uri ? vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document.uri.toString() === uri.toString())) : undefined;
    const target = notebook?.uri ?? uri;
    try {
      return await this.reportPanel.show((nonce) =>
        client.sendRequest<ProbeReportHtml>(PROBE_REPORT_HTML, { ...(target ? { uri: target.toString() } : {}), nonce }),
      );
    } catch (err) {
      const reason = (err as Error).message;
      this.log.warn(`probe report: ${reason}`);
      void vscode.window.showInformationMessage(`gradls: ${reason.replace(/^gradls: /, '')}`, 'Run Gradient Probe').then((pick) => {
        if (pick) {
          void vscode.commands.executeCommand('gradls.runProbe', target);
        }
      });
      return undefined;
    }
  }

  /** Markdown for one rule, from `python -m gradls rule CODE` run like the server (same interpreter and PYTHONPATH). */
  async ruleDocumentation(code: string): Promise<string> {
    const server = this.serverInfo;
    if (!server?.info) {
      throw new Error('no usable Python for gradls (see the log)');
    }
    const command = server.choice.command;
    const { stdout } = await execFile(command[0], [...command.slice(1), '-m', 'gradls', 'rule', code], {
      cwd: this.context.extensionPath,
      env: server.env,
      timeout: 30000,
    });
    return stdout;
  }

  private async showRuleDocumentation(arg: unknown): Promise<string | undefined> {
    let code: string | undefined;
    if (typeof arg === 'string') {
      code = arg;
    } else if (arg && typeof arg === 'object' && 'code' in arg) {
      const c = (arg as { code: unknown }).code;
      code = typeof c === 'object' && c && 'value' in c ? String((c as { value: unknown }).value) : String(c);
    }
    if (!code) {
      const editor = vscode.window.activeTextEditor;
      const here = editor
        ? vscode.languages
            .getDiagnostics(editor.document.uri)
            .filter((d) => d.source === 'gradls' && d.code !== undefined)
            .sort((a, b) => Math.abs(a.range.start.line - editor.selection.active.line) - Math.abs(b.range.start.line - editor.selection.active.line))
        : [];
      const codes = [...new Set(here.map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)))];
      const other = 'Another rule code…';
      const pick = codes.length ? await vscode.window.showQuickPick([...codes, other], { placeHolder: 'gradls rule' }) : other;
      if (!pick) {
        return undefined;
      }
      code = pick === other ? await vscode.window.showInputBox({ prompt: 'gradls rule code', placeHolder: 'TFG001' }) : pick;
    }
    if (!code) {
      return undefined;
    }
    code = code.trim().toUpperCase();
    try {
      const markdown = await this.ruleDocumentation(code);
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
      return markdown;
    } catch (err) {
      const msg = `no documentation for ${code}: ${String((err as { stderr?: string }).stderr || (err as Error).message).trim()}`;
      this.log.error(msg);
      this.notify('error', msg);
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.configTimer);
    this.disposables.forEach((d) => d.dispose());
  }

  deactivate(): Promise<void> {
    return this.stop();
  }
}

let instance: Gradls | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<GradlsApi> {
  const log = vscode.window.createOutputChannel('gradls', { log: true });
  context.subscriptions.push(log);
  log.info(`gradls extension ${context.extension.packageJSON.version} activating (VS Code ${vscode.version}, ${process.platform}-${process.arch})`);
  instance = new Gradls(context, log);
  return instance.activate();
}

export function deactivate(): Promise<void> | undefined {
  return instance?.deactivate();
}
