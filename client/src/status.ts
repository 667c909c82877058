// Language status item (the {} entry in the status bar for Python files): server state and the last probe.
import * as vscode from 'vscode';
import type { ProbeSummary } from './common/probe';

export interface StatusView {
  state: 'starting' | 'running' | 'stopped' | 'error';
  detail?: string;
  probe?: ProbeSummary;
  probeRunning?: boolean;
}

export function statusText(view: StatusView): { text: string; detail: string } {
  const state = view.state === 'error' && view.detail ? `error: ${view.detail}` : view.state;
  const probe = view.probeRunning ? 'probe running…' : view.probe ? `last probe: ${view.probe.summary}` : 'no probe run yet';
  return { text: `gradls: ${state}`, detail: probe };
}

/** Error when the server is in trouble or the last probe found a broken gradient; Warning when it found only things
 * to watch (a step skipped by loss scaling is by design: Information). */
function statusSeverity(view: StatusView): vscode.LanguageStatusSeverity {
  if (view.state === 'error' || (!view.probeRunning && view.probe?.severity === 'error')) {
    return vscode.LanguageStatusSeverity.Error;
  }
  if (!view.probeRunning && view.probe?.severity === 'warning') {
    return vscode.LanguageStatusSeverity.Warning;
  }
  return vscode.LanguageStatusSeverity.Information;
}

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('gradls.status', { language: 'python' });
    this.item.name = 'gradls';
    this.item.command = { title: 'Show Logs', command: 'gradls.showLogs' };
    this.update({ state: 'stopped' });
  }

  update(view: StatusView): void {
    const { text, detail } = statusText(view);
    this.item.text = text;
    this.item.detail = detail;
    this.item.busy = view.state === 'starting' || Boolean(view.probeRunning);
    this.item.severity = statusSeverity(view);
  }

  dispose(): void {
    this.item.dispose();
  }
}
