import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FromGuideType, parseFromGuide, parseGuideViewRequest, parseGuideViewState } from '../../src/shared/guideProtocol';

describe('guide protocol', () => {
  it('accepts well-formed webview messages', () => {
    assert.deepEqual(parseFromGuide({ type: 'ready' }), { type: FromGuideType.Ready });
    assert.deepEqual(parseFromGuide({ type: 'viewChanged', view: { language: 'node', model: 'threads', section: 'pitfalls' } }), {
      type: FromGuideType.ViewChanged,
      view: { language: 'node', model: 'threads', section: 'pitfalls' },
    });
    const answers = { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: true, python: 'py314' };
    assert.deepEqual(parseFromGuide({ type: 'decide', language: 'python', answers }), { type: FromGuideType.Decide, language: 'python', answers });
    assert.deepEqual(parseFromGuide({ type: 'insertExample', language: 'node', model: 'threads' }), { type: FromGuideType.InsertExample, language: 'node', model: 'threads' });
    assert.deepEqual(parseFromGuide({ type: 'copyExample', language: 'python', model: 'threads', answers }),
      { type: FromGuideType.CopyExample, language: 'python', model: 'threads', answers });
    assert.deepEqual(parseFromGuide({ type: 'runExperiment', language: 'node' }), { type: FromGuideType.RunExperiment, language: 'node' });
    assert.deepEqual(parseFromGuide({ type: 'cancelExperiment', language: 'python' }), { type: FromGuideType.CancelExperiment, language: 'python' });
  });

  it('drops extra fields instead of passing them through', () => {
    assert.deepEqual(parseFromGuide({ type: 'ready', extra: '<script>' }), { type: 'ready' });
  });

  it('rejects malformed messages without throwing', () => {
    for (const bad of [null, undefined, 42, 'ready', [], {}, { type: 'nope' }, { type: 'viewChanged' },
      { type: 'viewChanged', view: { language: 'ruby', model: 'threads' } },
      { type: 'viewChanged', view: { language: 'python', model: 'fibers' } },
      { type: 'insertExample', language: 'python' }, { type: 'insertExample', language: 'python', model: 'threads', answers: { workload: 'gpu' } },
      { type: 'decide', language: 'python', answers: { workload: 'cpu', units: 'few', blockingLibrary: 'yes', isolation: false, sharedState: false } },
      { type: 'decide', answers: { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: 'gil' } },
      { type: 'decide', language: 'python', answers: { workload: 'cpu', units: 'few', blockingLibrary: false, isolation: false, sharedState: false, python: '2.7' } },
      { type: 'insertExample', language: 'node', model: 'interpreters' },
      { type: 'runExperiment', language: 'cobol' }, { type: 'cancelExperiment' }]) {
      assert.equal(parseFromGuide(bad), undefined, JSON.stringify(bad));
    }
  });

  it('validates a persisted view state', () => {
    assert.deepEqual(parseGuideViewState({ language: 'python', model: 'processes', section: 'example' }), { language: 'python', model: 'processes', section: 'example' });
    assert.deepEqual(parseGuideViewState({ language: 'python', model: 'processes' }), { language: 'python', model: 'processes', section: 'overview' },
      'state saved before sections existed opens at the overview');
    assert.deepEqual(parseGuideViewState({ language: 'python', model: 'interpreters', section: 'cost' }), { language: 'python', model: 'interpreters', section: 'cost' });
    assert.deepEqual(parseGuideViewState({ language: 'node', model: 'interpreters', section: 'cost' }), { language: 'node', model: 'threads', section: 'cost' },
      'Node has no interpreters page: its Worker threads are the nearest');
    assert.equal(parseGuideViewState({ language: 'python' }), undefined);
    assert.equal(parseGuideViewState('python'), undefined);
  });

  it('keeps only the valid fields of an open-guide request', () => {
    assert.deepEqual(parseGuideViewRequest({ model: 'threads' }), { model: 'threads' });
    assert.deepEqual(parseGuideViewRequest({ language: 'node', model: 'nope' }), { language: 'node' });
    assert.deepEqual(parseGuideViewRequest({ model: 'processes', section: 'pitfalls' }), { model: 'processes', section: 'pitfalls' });
    assert.deepEqual(parseGuideViewRequest({ section: 'experiment', language: 'node' }), { section: 'experiment', language: 'node' });
    assert.deepEqual(parseGuideViewRequest({ section: 'appendix' }), {});
    assert.deepEqual(parseGuideViewRequest(undefined), {});
    assert.deepEqual(parseGuideViewRequest('threads'), {});
  });
});
