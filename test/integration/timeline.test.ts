import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunModel } from '../../src/core/runs/runModel';
import { activateExtension, nextEvent } from './extensionHost';
import { rows } from './monitoredRuns';

const T0 = 1_700_000_000_000;

/** A small finished Node run: main thread, a worker, a child process, a blocked loop. */
function sampleRun(): RunModel {
  const model = new RunModel();
  model.addProcess({ kind: 'hello', seq: 0, t: T0, token: 't', protocol: 1, pid: 4242, ppid: 1, runtime: { name: 'node', version: '20.0.0' }, argv: ['node', '/work/app.js'], startedAt: T0 });
  model.apply(4242, { kind: 'snapshot', seq: 1, t: T0 + 1, threads: [{ id: 'main', kind: 'main', name: 'main', state: 'running', startedAt: T0 }] });
  model.apply(4242, { kind: 'delta', seq: 2, t: T0 + 20, upsert: {
    threads: [{ id: 'worker-1', kind: 'worker', name: 'Worker 1', state: 'running', startedAt: T0 + 20 }],
    children: [{ id: 'child-1', pid: 5000, command: 'ls -l', startedAt: T0 + 20 }],
  } });
  model.apply(4242, { kind: 'blocked', seq: 3, t: T0 + 400, loopId: 'loop-main', threadId: 'main', durationMs: 300, stack: [{ file: '/work/app.js', line: 3, function: 'spin' }] });
  model.apply(4242, { kind: 'exit', seq: 4, t: T0 + 500, exitCode: 3 });
  model.endProcess(4242, T0 + 500);
  model.finish(T0 + 500, { exitCode: 3 });
  return model;
}

function timelineTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('concurrencyLens.timeline'));
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

suite('Timeline and recordings', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'cl-recordings-'));

  teardown(async () => {
    const { api } = await activateExtension();
    api.shownRun.show(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"Show Timeline" opens one panel and sends it the shown run once the webview is ready', async () => {
    const { api } = await activateExtension();
    api.shownRun.show({ model: sampleRun(), title: 'app.js', live: false });
    const posted = nextEvent(api.timeline.onDidPostData);
    await vscode.commands.executeCommand('concurrencyLens.showTimeline');
    await posted;
    assert.equal(api.timeline.isOpen, true);
    await vscode.commands.executeCommand('concurrencyLens.showTimeline');
    assert.equal(timelineTabs().length, 1, 'a second call reveals the same panel');

    const update = nextEvent(api.timeline.onDidPostData);
    api.shownRun.show(undefined);
    await update;
  });

  test('Export Run as Chrome Trace → Open Recording gives back the same run', async () => {
    const { api } = await activateExtension();
    const model = sampleRun();
    api.shownRun.show({ model, title: 'app.js', live: false });
    const file = vscode.Uri.file(path.join(folder, 'app.trace.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('concurrencyLens.exportTrace', file);
    assert.equal(written?.fsPath, file.fsPath);
    const trace = JSON.parse(readFileSync(file.fsPath, 'utf8')) as { traceEvents: { ph: string; pid: number; name: string }[] };
    assert.ok(trace.traceEvents.some((event) => event.ph === 'X' && event.pid === 4242));
    assert.ok(trace.traceEvents.some((event) => event.ph === 'i' && event.name === 'blocked loop'));

    api.shownRun.show(undefined);
    const opened = await vscode.commands.executeCommand<boolean>('concurrencyLens.openRecording', file);
    assert.equal(opened, true);
    const shown = api.shownRun.run;
    assert.equal(shown?.title, 'app.trace.json');
    assert.equal(shown?.live, false);
    assert.deepEqual(json(shown?.model.toRecording()), json(model.toRecording()));
    assert.equal(api.timeline.isOpen, true, 'the recording opens in the timeline');
    // Live Tasks lists it beside the runs and reads it as the run did at its end, years later: its exit code, its ages then.
    const listed = api.liveTasks.runs.find((run) => run.model === shown?.model);
    assert.equal(listed?.title, 'app.trace.json');
    const texts = rows(api.liveTasks, listed).map((row) => row.text);
    assert.match(texts[0] ?? '', /^Run finished \(exited with code 3\) — /);
    assert.ok(texts.includes('node /work/app.js — pid 4242 · exited with code 3 · 500 ms'), texts.join('\n'));
    assert.ok(texts.includes('main — exited · 500 ms'), texts.join('\n'));
    assert.ok(texts.includes('Worker 1 — exited · 480 ms'), texts.join('\n'));
  });

  test('after a window reload the serializer brings the panel back with the last run', async () => {
    const { api } = await activateExtension();
    const model = sampleRun();
    const saved = nextEvent(api.lastRun.onDidSave);
    api.shownRun.show({ model, title: 'app.js', live: false });
    await saved;
    // A reloaded window starts with nothing shown; VS Code hands the serializer a new panel of our type.
    api.shownRun.show(undefined);
    const panel = vscode.window.createWebviewPanel('concurrencyLens.timeline', 'Concurrency Timeline', vscode.ViewColumn.One, {});
    const posted = nextEvent(api.timeline.onDidPostData);
    await api.timeline.restore(panel);
    await posted;
    assert.equal(api.timeline.isOpen, true);
    assert.equal(panel.webview.options.enableScripts, true);
    assert.equal(api.shownRun.run?.title, 'app.js');
    assert.equal(api.shownRun.run?.live, false);
    assert.deepEqual(json(api.shownRun.run?.model.toRecording()), json(model.toRecording()));
    assert.equal(timelineTabs().length, 1);
  });

  test('a restored panel keeps showing the run that is already shown', async () => {
    const { api } = await activateExtension();
    const saved = nextEvent(api.lastRun.onDidSave);
    api.shownRun.show({ model: sampleRun(), title: 'saved.js', live: false });
    await saved;
    const live = new RunModel();
    api.shownRun.show({ model: live, title: 'live.js', live: true });
    const panel = vscode.window.createWebviewPanel('concurrencyLens.timeline', 'Concurrency Timeline', vscode.ViewColumn.One, {});
    await api.timeline.restore(panel);
    assert.equal(api.shownRun.run?.model, live);
  });

  test('Open Recording refuses a file that is not a recording and keeps the shown run', async () => {
    const { api } = await activateExtension();
    const model = sampleRun();
    api.shownRun.show({ model, title: 'app.js', live: false });
    const file = path.join(folder, 'not-a-recording.json');
    writeFileSync(file, JSON.stringify({ traceEvents: [] }));
    const opened = await vscode.commands.executeCommand<boolean>('concurrencyLens.openRecording', vscode.Uri.file(file));
    assert.equal(opened, false);
    assert.equal(api.shownRun.run?.model, model);
  });

  // Last of the suite: in this extension-host harness, a webview panel created after one was
  // hidden and shown again never starts its page (the same steps through the real workbench, in
  // the UI harness, work), so no test that needs a new panel may follow this one.
  test('a hidden panel is sent nothing while a live run changes, and gets the run again when shown', async () => {
    const { api } = await activateExtension();
    const model = sampleRun();
    api.shownRun.show({ model, title: 'app.js', live: true });
    const first = nextEvent(api.timeline.onDidPostData);
    await vscode.commands.executeCommand('concurrencyLens.showTimeline');
    await first;

    // A saved file: an untitled one would be dirty and ask to be saved when the editors close.
    const notes = path.join(folder, 'notes.txt');
    writeFileSync(notes, 'hides the timeline');
    const document = await vscode.workspace.openTextDocument(notes);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
    assert.equal(timelineTabs()[0]?.isActive, false, 'the timeline tab is in the background');
    let posts = 0;
    const counting = api.timeline.onDidPostData(() => (posts += 1));
    try {
      for (let step = 0; step < 4; step += 1) {
        model.apply(4242, { kind: 'delta', seq: 10 + step, t: T0 + 600 + step, upsert: { threads: [{ id: 'main', kind: 'main', name: 'main', state: step % 2 ? 'running' : 'waiting', startedAt: T0 }] } });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.equal(posts, 0, 'nothing is built or posted for the hidden panel');

      const shown = nextEvent(api.timeline.onDidPostData);
      await vscode.commands.executeCommand('concurrencyLens.showTimeline');
      await shown;
      assert.ok(posts >= 1);
    } finally {
      counting.dispose();
    }
  });
});
