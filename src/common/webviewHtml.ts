import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Only these folders are readable by our webviews. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export interface WebviewPage {
  readonly title: string;
  readonly lang: string;
  /** Path of the script bundle under dist/webview. */
  readonly script: string;
  /** Paths of stylesheets under media/. */
  readonly styles: readonly string[];
}

/**
 * The HTML shell of every webview: a strict CSP that allows only our own files and one nonce'd
 * script, no inline handlers, no remote resources. Content is built in the webview with DOM APIs.
 */
export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const styles = [asset('dist', 'codicons', 'codicon.css'), ...page.styles.map((style) => asset('media', style))]
    .map((href) => `<link rel="stylesheet" href="${href}" nonce="${nonce}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(page.lang)}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeAttribute(page.title)}</title>
  </head>
  <body>
    <main id="root" aria-busy="true"></main>
    <script nonce="${nonce}" src="${asset('dist', 'webview', page.script)}"></script>
  </body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
