import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import { machineLoad, parallelism } from '../../core/experiment/experimentOutput';
import {
  COMPARISON_ROWS, CONCURRENCY_MODELS, EXPERIMENT_MODELS, EXPERIMENT_UNITS, FromGuideType, GUIDE_LANGUAGES, PAGE_SECTIONS, PYTHON_BUILDS,
  ToGuideType, UNIT_COUNTS, WORKLOADS, comparisonCell, isPageSection, modelIn, modelsOf, topicOf, type ConcurrencyModel, type Decision,
  type DecisionAnswers, type ExperimentSnapshot, type FromGuideMessage, type GuideClaim, type GuideContent, type GuideExample,
  type GuideLanguage, type GuideSection, type GuideStrings, type GuideViewState, type InitMessage, type PageSection, type ToGuideMessage,
  type Workload,
} from '../../shared/guideProtocol';
import { codicon, h } from '../dom';
import { getVsCodeApi } from '../vscodeApi';

/** What the webview persists with setState: the view (read by the host's serializer) and the helper's last answers. */
interface PersistedState extends GuideViewState {
  readonly answers?: DecisionAnswers;
  /** The helper had answered: ask again after the webview is reloaded (hidden and shown, window reload). */
  readonly decided?: boolean;
}

const vscode = getVsCodeApi<FromGuideMessage, PersistedState>();
const root = document.getElementById('root')!;

const MODEL_ICONS = { coroutines: 'sync', threads: 'list-tree', interpreters: 'layers', processes: 'server-process' } as const;
const PAGE_ICONS = { comparison: 'table', decide: 'question', experiment: 'beaker' } as const;
const DEFAULT_ANSWERS: DecisionAnswers = { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: 'gil' };

/** The tabs of a language: its models (Python has interpreters too), then the shared pages. */
function tabsOf(language: GuideLanguage): readonly (ConcurrencyModel | PageSection)[] {
  return [...modelsOf(language), ...PAGE_SECTIONS];
}

function isModel(tab: ConcurrencyModel | PageSection): tab is ConcurrencyModel {
  return (CONCURRENCY_MODELS as readonly string[]).includes(tab);
}

interface Page {
  strings: GuideStrings;
  content: GuideContent;
  trusted: boolean;
  view: GuideViewState;
  experiments: Record<GuideLanguage, ExperimentSnapshot>;
  answers: DecisionAnswers;
  decision: Decision | undefined;
}

let page: Page | undefined;

function save(state: Page): void {
  vscode.setState({ ...state.view, answers: state.answers, decided: state.decision !== undefined });
}

function changeView(state: Page, next: GuideViewState): void {
  state.view = next;
  save(state);
  vscode.postMessage({ type: FromGuideType.ViewChanged, view: next });
}

/** Renders text in which `backticks` mark code, without ever parsing markup. */
function richText(text: string): (Node | string)[] {
  return text.split('`').map((part, index) => (index % 2 === 1 ? h('code', {}, part) : part));
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

function formatLoad(load: number | undefined): string {
  return load === undefined ? '—' : load.toFixed(2);
}

function format(template: string, ...values: string[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => values[Number(index)] ?? match);
}

function button(label: string, icon: string, onClick: () => void, options: { secondary?: boolean; disabled?: boolean; className?: string } = {}): HTMLElement {
  const element = h('vscode-button', { className: options.className ?? '', on: { click: onClick } }, codicon(icon), ' ', label);
  element.secondary = options.secondary ?? false;
  element.disabled = options.disabled ?? false;
  return element;
}

function claimList(claims: readonly GuideClaim[], docsLabel: string): HTMLElement {
  return h('ul', { className: 'claims' }, ...claims.map((claim) =>
    h('li', {}, ...richText(claim.text), ' ',
      h('a', { className: 'docs-link', attrs: { href: claim.docs, title: claim.docs, 'aria-label': `${docsLabel}: ${claim.docs}` } }, codicon('link-external'), docsLabel))));
}

function exampleBlock(state: Page, example: GuideExample, model: ConcurrencyModel, answers?: DecisionAnswers): HTMLElement {
  const language = state.view.language;
  const send = (type: FromGuideType.InsertExample | FromGuideType.CopyExample): void =>
    vscode.postMessage(answers ? { type, language, model, answers } : { type, language, model });
  return h('figure', { className: 'example' },
    h('figcaption', {},
      h('span', { className: 'file-name' }, codicon('file-code'), ' ', example.fileName),
      h('span', { className: 'example-actions' },
        button(state.strings.insert, 'insert', () => send(FromGuideType.InsertExample), { className: 'insert-example' }),
        button(state.strings.copy, 'copy', () => send(FromGuideType.CopyExample), { secondary: true, className: 'copy-example' }))),
    h('pre', { attrs: { tabindex: '0', 'aria-label': example.fileName } }, h('code', {}, example.code)),
    h('p', { className: 'example-note' }, ...richText(example.note), ' ',
      h('a', { className: 'docs-link', attrs: { href: example.docs } }, codicon('link-external'), state.strings.docs)));
}

function section(id: GuideSection, title: string, ...children: (Node | string | false | undefined)[]): HTMLElement {
  return h('section', { className: 'topic-section', attrs: { 'aria-labelledby': `section-${id}` } },
    h('h2', { attrs: { id: `section-${id}`, tabindex: '-1' } }, title), ...children);
}

function measuredStartup(state: Page, model: ConcurrencyModel): HTMLElement {
  const startupMs: Readonly<Partial<Record<ConcurrencyModel, number>>> = state.experiments[state.view.language].startupMs;
  const measured = startupMs[model];
  return h('p', { className: 'measured', attrs: { 'data-model': model, 'aria-live': 'polite' } },
    measured === undefined ? '' : h('span', {}, codicon('dashboard'), ' ', format(state.strings.measuredStartup, formatMs(measured))));
}

function topicPanel(state: Page, model: ConcurrencyModel): HTMLElement[] {
  const { strings } = state;
  const topic = topicOf(state.content, state.view.language, model);
  if (!topic) return [];
  return [
    h('div', { className: 'topic-overview' },
      h('p', { className: 'lead' }, ...richText(topic.overview)),
      h('p', { className: 'apis' }, ...topic.apis.map((api) => h('code', { className: 'api' }, api)))),
    section('scheduling', strings.sections.scheduling, claimList(topic.scheduling, strings.docs)),
    section('cost', strings.sections.cost, claimList(topic.cost, strings.docs), measuredStartup(state, model)),
    section('sharing', strings.sections.sharing, claimList(topic.sharing, strings.docs)),
    section('fit', strings.sections.fit,
      h('div', { className: 'fit' },
        h('div', {}, h('h3', {}, codicon('pass'), ' ', strings.bestFor), claimList(topic.bestFor, strings.docs)),
        h('div', {}, h('h3', {}, codicon('circle-slash'), ' ', strings.notFor), claimList(topic.notFor, strings.docs)))),
    section('pitfalls', strings.sections.pitfalls, claimList(topic.pitfalls, strings.docs)),
    section('example', strings.sections.example, exampleBlock(state, topic.example, model)),
  ];
}

function comparisonPanel(state: Page): HTMLElement[] {
  const { strings, content } = state;
  const language = state.view.language;
  const models = modelsOf(language);
  return [
    h('div', { className: 'model-grid' }, ...models.map((model) =>
      h('article', { className: 'model-card', attrs: { 'aria-labelledby': `card-${model}` } },
        h('h3', { attrs: { id: `card-${model}` } }, codicon(MODEL_ICONS[model]), ' ', strings.models[model].name),
        h('p', {}, strings.models[model].summary)))),
    h('p', {}, strings.comparisonIntro),
    h('table', { className: 'comparison' },
      h('thead', {}, h('tr', {}, h('td', {}), ...models.map((model) =>
        h('th', { attrs: { scope: 'col' } }, codicon(MODEL_ICONS[model]), ' ', strings.models[model].name)))),
      h('tbody', {}, ...COMPARISON_ROWS.map((row) =>
        h('tr', {}, h('th', { attrs: { scope: 'row' } }, content.comparisonRows[row]),
          ...models.map((model) => h('td', {}, ...richText(comparisonCell(content, language, row, model) ?? ''))))))),
  ];
}

function decidePanel(state: Page): HTMLElement[] {
  const { strings, content } = state;
  const questions = content.questions;
  const answers = { ...state.answers };
  const radios = <T extends string>(name: 'workload' | 'units' | 'python', options: readonly T[], labels: Readonly<Record<T, string>>, current: T): HTMLElement => {
    const group = h('vscode-radio-group', { attrs: { variant: 'vertical', 'aria-label': questions[name].label } },
      ...options.map((option) => {
        const radio = h('vscode-radio', { attrs: { name, value: option, 'data-answer': `${name}-${option}` } }, labels[option]);
        radio.checked = option === current;
        radio.addEventListener('change', () => {
          if (radio.checked) Object.assign(answers, { [name]: option });
        });
        return radio;
      }));
    return h('fieldset', {}, h('legend', {}, questions[name].label), group);
  };
  const checkbox = (name: 'blockingLibrary' | 'isolation' | 'sharedState'): HTMLElement => {
    const box = h('vscode-checkbox', { attrs: { 'data-answer': name } }, questions[name]);
    box.checked = answers[name];
    box.addEventListener('change', () => Object.assign(answers, { [name]: box.checked }));
    return box;
  };
  const result = h('div', { className: 'decision', attrs: { 'aria-live': 'polite' } });
  if (state.decision) renderDecision(state, result, state.decision);
  const submit = (): void => {
    state.answers = answers;
    save(state);
    vscode.postMessage({ type: FromGuideType.Decide, language: state.view.language, answers });
  };
  return [
    h('p', {}, strings.decideIntro),
    h('form', { className: 'decide-form', on: { submit: (event) => event.preventDefault() } },
      radios('workload', WORKLOADS, questions.workload.options, answers.workload),
      radios('units', UNIT_COUNTS, questions.units.options, answers.units),
      state.view.language === 'python' && radios('python', PYTHON_BUILDS, questions.python.options, answers.python),
      h('fieldset', { className: 'checks' }, checkbox('blockingLibrary'), checkbox('isolation'), checkbox('sharedState')),
      button(strings.decideButton, 'lightbulb', submit, { className: 'decide-button' })),
    result,
  ];
}

function renderDecision(state: Page, container: HTMLElement, decision: Decision): void {
  const name = state.strings.models[decision.model].name;
  container.replaceChildren(
    h('h2', { className: 'recommendation', attrs: { 'data-model': decision.model } }, codicon(MODEL_ICONS[decision.model]), ' ',
      format(state.strings.recommendation, name)),
    claimList(decision.reasons, state.strings.docs),
    exampleBlock(state, decision.example, decision.model, state.answers),
  );
}

function experimentPanel(state: Page): HTMLElement[] {
  const container = h('div', { className: 'experiment', attrs: { 'aria-live': 'polite' } });
  renderExperiment(state, container);
  return [container];
}

function renderExperiment(state: Page, container: HTMLElement): void {
  const { strings } = state;
  const language = state.view.language;
  const snapshot = state.experiments[language];
  const running = snapshot.status === 'running';
  const runtime = snapshot.runtime;
  const run = (): void => vscode.postMessage({ type: FromGuideType.RunExperiment, language });
  const header = h('div', { className: 'experiment-actions' },
    button(strings.runExperiment, 'play', run, { disabled: running || !state.trusted, className: 'run-experiment' }),
    running && button(strings.cancelExperiment, 'debug-stop', () => vscode.postMessage({ type: FromGuideType.CancelExperiment, language }), { secondary: true, className: 'cancel-experiment' }),
    h('span', { className: `status status-${snapshot.status}` }, running ? codicon('loading codicon-modifier-spin') : '', ' ', strings.status[snapshot.status]));
  const charts = WORKLOADS.map((workload) => chart(state, snapshot, workload));
  const startup = EXPERIMENT_UNITS.filter((model) => snapshot.startupMs[model] !== undefined);
  // A free-threaded Python runs threads in parallel: what to look for changes with it.
  const note = language === 'python' && runtime?.gilEnabled === false ? state.content.freeThreadedNote : state.content.experimentNotes[language];
  const busy = machineLoad(snapshot) === 'busy' && !running;
  container.replaceChildren(
    h('p', {}, strings.experimentIntro),
    h('p', { className: 'experiment-note' }, codicon('lightbulb'), ' ', ...richText(note)),
    state.trusted ? '' : h('p', { className: 'notice' }, codicon('workspace-untrusted'), ' ', strings.untrusted),
    header,
    snapshot.message ? h('p', { className: 'notice error' }, codicon('error'), ' ', snapshot.message) : '',
    runtime ? h('p', { className: 'runtime' }, codicon('info'), ' ',
      [`${state.strings[language]} ${runtime.runtime} (${runtime.implementation})`, format(strings.cpuCount, String(runtime.cpus)),
        ...(language === 'python' ? [runtime.gilEnabled ? strings.gilOn : strings.gilOff] : [])].join(' · ')) : '',
    busy ? h('div', { className: 'notice busy-machine', attrs: { role: 'status' } },
      h('p', {}, codicon('warning'), ' ', format(strings.busyMachine, formatLoad(snapshot.load.before), formatLoad(snapshot.load.after), String(runtime?.cpus ?? '?'))),
      button(strings.runAgain, 'refresh', run, { disabled: !state.trusted, className: 'run-again' })) : '',
    ...charts,
    startup.length > 0 ? h('div', { className: 'startup' }, h('h3', {}, strings.startupPerUnit),
      h('ul', {}, ...startup.map((model) => h('li', { attrs: { 'data-model': model } }, `${strings.models[model].name}: `, h('strong', {}, formatMs(snapshot.startupMs[model] ?? 0)))))) : '',
  );
}

function chart(state: Page, snapshot: ExperimentSnapshot, workload: Workload): HTMLElement {
  const { strings } = state;
  const results = snapshot.results.filter((result) => result.workload === workload);
  const longest = Math.max(1, ...results.map((result) => result.wallMs));
  const sequential = results.find((result) => result.model === 'sequential');
  const rows = EXPERIMENT_MODELS.map((model) => {
    const result = results.find((candidate) => candidate.model === model);
    const bar = h('div', { className: `bar bar-${model}` });
    bar.style.width = result ? `${Math.max(1, (result.wallMs / longest) * 100)}%` : '0';
    const ratio = result && sequential ? sequential.wallMs / result.wallMs : undefined;
    const cores = result ? parallelism(result) : undefined;
    return h('tr', { attrs: { 'data-variant': `${workload}.${model}` } },
      h('th', { attrs: { scope: 'row' } }, strings.experimentModels[model], ' ', h('code', { className: 'api' }, state.content.experimentApis[state.view.language][model])),
      h('td', { className: 'bar-cell' }, bar),
      h('td', { className: 'number' }, result ? formatMs(result.wallMs) : '—'),
      h('td', { className: `number speedup${ratio !== undefined && ratio >= 1.5 ? ' faster' : ''}` }, ratio !== undefined ? `×${ratio.toFixed(2)}` : '—'),
      h('td', { className: `number parallelism${cores !== undefined && cores >= 1.5 ? ' faster' : ''}` }, cores !== undefined ? cores.toFixed(1) : '—'));
  });
  const units = results[0]?.units;
  return h('table', { className: 'chart', attrs: { 'data-workload': workload } },
    h('caption', {}, strings.workloads[workload], units ? ` · ${units} ×` : ''),
    h('thead', {}, h('tr', {}, h('td', {}), h('td', {}),
      h('th', { attrs: { scope: 'col' } }, strings.wallTime),
      h('th', { attrs: { scope: 'col' } }, strings.speedup),
      h('th', { attrs: { scope: 'col', title: strings.parallelismHint } }, strings.parallelism, ' ', codicon('info')))),
    h('tbody', {}, ...rows));
}

function tabIndexOf(view: GuideViewState): number {
  return tabsOf(view.language).indexOf(isPageSection(view.section) ? view.section : view.model);
}

function render(state: Page): void {
  const { strings, view } = state;
  const languageButton = (language: GuideLanguage): HTMLButtonElement =>
    h('button', {
      className: 'segment',
      attrs: { type: 'button', role: 'radio', 'aria-checked': String(view.language === language) },
      on: {
        click: () => {
          changeView(state, { ...state.view, language, model: modelIn(language, state.view.model) });
          state.decision = undefined;
          render(state);
        },
      },
    }, strings[language]);

  const tabs = h('vscode-tabs', { attrs: { 'aria-label': strings.title } });
  const tabList = tabsOf(view.language);
  tabList.forEach((tab) => {
    const label = isModel(tab) ? strings.models[tab].name : strings.pages[tab];
    const icon = isModel(tab) ? MODEL_ICONS[tab] : PAGE_ICONS[tab];
    tabs.append(
      h('vscode-tab-header', { attrs: { slot: 'header', 'data-tab': tab } }, codicon(icon), ' ', label),
      h('vscode-tab-panel', { attrs: { 'data-tab': tab } }, ...panelContent(state, tab)),
    );
  });
  tabs.selectedIndex = tabIndexOf(view);
  tabs.addEventListener('vsc-tabs-select', (event) => {
    const tab = tabList[(event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
    if (!tab) return;
    changeView(state, isModel(tab) ? { ...state.view, model: tab, section: 'overview' } : { ...state.view, section: tab });
  });

  root.replaceChildren(
    h('header', { className: 'guide-header' },
      h('div', {},
        h('h1', {}, strings.title),
        h('p', { className: 'subtitle' }, strings.subtitle)),
      h('div', { className: 'segmented', attrs: { role: 'radiogroup', 'aria-label': strings.languageLabel } },
        ...GUIDE_LANGUAGES.map(languageButton))),
    tabs,
  );
  root.setAttribute('aria-busy', 'false');
  revealSection(view.section);
}

function panelContent(state: Page, tab: ConcurrencyModel | PageSection): HTMLElement[] {
  switch (tab) {
    case 'coroutines':
    case 'threads':
    case 'interpreters':
    case 'processes':
      return topicPanel(state, tab);
    case 'comparison':
      return comparisonPanel(state);
    case 'decide':
      return decidePanel(state);
    case 'experiment':
      return experimentPanel(state);
  }
}

/** Scrolls to a section of the open tab and moves the focus there, so keyboard users land on it too. */
function revealSection(sectionId: GuideSection): void {
  if (sectionId === 'overview' || isPageSection(sectionId)) return;
  requestAnimationFrame(() => {
    const heading = document.querySelector<HTMLElement>(`vscode-tab-panel:not([hidden]) #section-${sectionId}`);
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus({ preventScroll: true });
  });
}

function init(message: InitMessage): void {
  document.documentElement.lang = message.locale;
  const saved = vscode.getState();
  page = {
    strings: message.strings,
    content: message.content,
    trusted: message.trusted,
    view: message.view,
    experiments: { ...message.experiments },
    // Answers saved by an older version may lack newer questions: the defaults fill them in.
    answers: { ...DEFAULT_ANSWERS, ...(saved?.answers ?? page?.answers) },
    decision: page?.view.language === message.view.language ? page.decision : undefined,
  };
  save(page);
  render(page);
  if (saved?.decided && !page.decision) vscode.postMessage({ type: FromGuideType.Decide, language: page.view.language, answers: page.answers });
}

function updateExperiment(state: Page, snapshot: ExperimentSnapshot): void {
  state.experiments[snapshot.language] = snapshot;
  if (snapshot.language !== state.view.language) return;
  const container = document.querySelector<HTMLElement>('.experiment');
  if (container) renderExperiment(state, container);
  for (const model of CONCURRENCY_MODELS) {
    const measured = document.querySelector<HTMLElement>(`.measured[data-model="${model}"]`);
    measured?.replaceWith(measuredStartup(state, model));
  }
}

window.addEventListener('message', (event: MessageEvent<ToGuideMessage>) => {
  const message = event.data;
  switch (message.type) {
    case ToGuideType.Init:
      init(message);
      return;
    case ToGuideType.Decision: {
      if (!page) return;
      page.decision = message.decision;
      save(page);
      const container = document.querySelector<HTMLElement>('.decision');
      if (container) renderDecision(page, container, message.decision);
      return;
    }
    case ToGuideType.Experiment:
      if (page) updateExperiment(page, message.snapshot);
      return;
  }
});

vscode.postMessage({ type: FromGuideType.Ready });
