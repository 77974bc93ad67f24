import {
  CONCURRENCY_MODELS, FromGuideType, GUIDE_LANGUAGES, ToGuideType,
  type FromGuideMessage, type GuideLanguage, type GuideStrings, type GuideViewState, type ToGuideMessage,
} from '../../shared/guideProtocol';
import { codicon, h } from '../dom';
import { getVsCodeApi } from '../vscodeApi';

const vscode = getVsCodeApi<FromGuideMessage, GuideViewState>();
const root = document.getElementById('root')!;

const MODEL_ICONS = { coroutines: 'sync', threads: 'list-tree', processes: 'server-process' } as const;

function render(strings: GuideStrings, view: GuideViewState): void {
  const changeView = (next: GuideViewState): void => {
    vscode.setState(next);
    vscode.postMessage({ type: FromGuideType.ViewChanged, view: next });
    render(strings, next);
  };
  const languageButton = (language: GuideLanguage): HTMLButtonElement =>
    h('button', {
      className: 'segment',
      attrs: { type: 'button', role: 'radio', 'aria-checked': String(view.language === language) },
      on: { click: () => changeView({ ...view, language }) },
    }, strings[language]);

  const cards = CONCURRENCY_MODELS.map((model) =>
    h('article', { className: `model-card${view.model === model ? ' selected' : ''}`, attrs: { 'aria-labelledby': `model-${model}` } },
      h('h2', { attrs: { id: `model-${model}` } }, codicon(MODEL_ICONS[model]), ' ', strings.models[model].name),
      h('p', {}, strings.models[model].summary)),
  );

  root.replaceChildren(
    h('header', { className: 'guide-header' },
      h('h1', {}, strings.title),
      h('p', { className: 'subtitle' }, strings.subtitle),
      h('div', { className: 'segmented', attrs: { role: 'radiogroup', 'aria-label': strings.languageLabel } },
        ...GUIDE_LANGUAGES.map(languageButton))),
    h('section', { className: 'model-grid', attrs: { 'data-language': view.language } }, ...cards),
  );
  root.setAttribute('aria-busy', 'false');
}

window.addEventListener('message', (event: MessageEvent<ToGuideMessage>) => {
  const message = event.data;
  switch (message.type) {
    case ToGuideType.Init:
      document.documentElement.lang = message.locale;
      vscode.setState(message.view);
      render(message.strings, message.view);
      return;
  }
});

vscode.postMessage({ type: FromGuideType.Ready });
