// Optional integration with the Python extension (ms-python.python), through @vscode/python-extension.
// Not a dependency: when the extension is absent every method answers undefined.
import * as vscode from 'vscode';
import type { PythonExtension } from '@vscode/python-extension';

const PYTHON_EXTENSION_ID = 'ms-python.python';

export class PythonEnvironments implements vscode.Disposable {
  private api: PythonExtension | undefined;
  private subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  installed(): boolean {
    return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
  }

  /** Loads the API when the extension is installed; `onChange` fires when the user picks another environment. */
  async initialize(onChange: (resource: vscode.Uri | undefined) => void): Promise<void> {
    if (!this.installed()) {
      this.log.info('Python extension not installed: interpreters come from gradls.interpreter / gradls.probe.interpreter or python3');
      return;
    }
    try {
      const { PythonExtension } = await import('@vscode/python-extension');
      this.api = await PythonExtension.api();
      this.subscriptions.push(
        this.api.environments.onDidChangeActiveEnvironmentPath((e) => {
          const uri = e.resource === undefined ? undefined : e.resource instanceof vscode.Uri ? e.resource : e.resource.uri;
          this.log.info(`Python extension: active environment changed to ${e.path}${uri ? ` for ${uri.fsPath}` : ''}`);
          onChange(uri);
        }),
      );
    } catch (err) {
      this.log.warn(`Python extension present but its API is unavailable: ${String(err)}`);
      this.api = undefined;
    }
  }

  /** The selected environment's python executable for this resource (folder or file), if any. */
  async executable(resource: vscode.Uri | undefined): Promise<string | undefined> {
    if (!this.api) {
      return undefined;
    }
    try {
      const envPath = this.api.environments.getActiveEnvironmentPath(resource);
      const env = await this.api.environments.resolveEnvironment(envPath);
      return env?.executable.uri?.fsPath;
    } catch (err) {
      this.log.warn(`Python extension could not resolve the environment: ${String(err)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
  }
}
