// The gradient probe report in a webview: the page the server renders (gradls/probeReportHtml, the same page as
// `gradls probe --html`), scripts allowed only by a per-page nonce. A click on a variable's creation line posts
// {command: "open", file, line, cell?}; the editor opens that line.
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseOpenMessage, ProbeReportHtml, ReportLocation } from './common/probe';

export const REPORT_VIEW_TYPE = 'gradls.probeReport';

// The page follows the OS colour scheme on its own; in the editor it follows the colour theme instead: VS Code
// marks a webview's body with vscode-light / vscode-dark / vscode-high-contrast and gives it the theme's colours.
const THEME_STYLE = `<style>
body.vscode-light, body.vscode-dark, body.vscode-high-contrast, body.vscode-high-contrast-light {
  --fg: var(--vscode-editor-foreground); --bg: var(--vscode-editor-background);
  --muted: var(--vscode-descriptionForeground); --card: var(--vscode-editorWidget-background);
  --grid: var(--vscode-editorWidget-border, var(--vscode-panel-border));
  --bad: var(--vscode-errorForeground); --watch: var(--vscode-editorWarning-foreground);
}
body.vscode-dark, body.vscode-high-contrast { color-scheme: dark; }
body.vscode-light, body.vscode-high-contrast-light { color-scheme: light; }
</style>`;

/** The server's page with the theme's colours added (inline styles are allowed by its policy). */
export function themed(html: string): string {
  const at = html.indexOf('</head>');
  return at < 0 ? html : html.slice(0, at) + THEME_STYLE + html.slice(at);
}

/** What the extension-host tests read back about the panel. */
export interface ReportPanelState {
  visible: boolean;
  title?: string;
  uri?: string;
  html?: string;
  nonce?: string;
  opened: ReportLocation[];
}

export class ProbeReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: { uri: string; html: string; nonce: string } | undefined;
  private readonly opened: ReportLocation[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Shows (or refreshes) the panel beside the editor without taking the focus from it. */
  async show(fetchHtml: (nonce: string) => Promise<ProbeReportHtml>): Promise<ReportPanelState> {
    const nonce = crypto.randomBytes(18).toString('hex');
    const page = await fetchHtml(nonce);
    const title = `Gradient Probe: ${path.basename(vscode.Uri.parse(page.uri).fsPath) || 'report'}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        REPORT_VIEW_TYPE,
        title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        // The page is self-contained: no local resources, no network (its CSP says so too).
        { enableScripts: true, localResourceRoots: [], enableFindWidget: true },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.current = undefined;
      });
      this.panel.webview.onDidReceiveMessage((message: unknown) => void this.open(message));
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = title;
    this.panel.webview.html = themed(page.html);
    this.current = { uri: page.uri, html: page.html, nonce };
    this.log.info(`probe report shown for ${page.uri} (${page.status ?? '?'})`);
    return this.state();
  }

  state(): ReportPanelState {
    return {
      visible: Boolean(this.panel?.visible),
      title: this.panel?.title,
      uri: this.current?.uri,
      html: this.current?.html,
      nonce: this.current?.nonce,
      opened: [...this.opened],
    };
  }

  /** The webview's "open this line" message: a file's line, or a line of a notebook's cell (1-based cell number). */
  async open(message: unknown): Promise<vscode.TextEditor | undefined> {
    const where = parseOpenMessage(message);
    if (!where) {
      this.log.warn(`probe report: ignoring message ${JSON.stringify(message)}`);
      return undefined;
    }
    const uri = vscode.Uri.file(where.file);
    let document: vscode.TextDocument;
    try {
      if (where.cell !== undefined) {
        const notebook = await vscode.workspace.openNotebookDocument(uri);
        const cell = notebook.cellAt(where.cell - 1);
        document = cell.document;
      } else {
        document = await vscode.workspace.openTextDocument(uri);
      }
    } catch (err) {
      this.log.warn(`probe report: cannot open ${where.file}: ${String(err)}`);
      void vscode.window.showWarningMessage(`gradls: cannot open ${where.file}`);
      return undefined;
    }
    const line = Math.min(where.line, document.lineCount) - 1;
    const start = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.One,
      selection: new vscode.Range(start, start),
      preserveFocus: false,
    });
    editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.opened.push(where);
    return editor;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
