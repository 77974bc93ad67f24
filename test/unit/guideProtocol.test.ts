import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FromGuideType, parseFromGuide, parseGuideViewRequest, parseGuideViewState } from '../../src/shared/guideProtocol';

describe('guide protocol', () => {
  it('accepts well-formed webview messages', () => {
    assert.deepEqual(parseFromGuide({ type: 'ready' }), { type: FromGuideType.Ready });
    assert.deepEqual(parseFromGuide({ type: 'viewChanged', view: { language: 'node', model: 'threads' } }), {
      type: FromGuideType.ViewChanged,
      view: { language: 'node', model: 'threads' },
    });
  });

  it('drops extra fields instead of passing them through', () => {
    assert.deepEqual(parseFromGuide({ type: 'ready', extra: '<script>' }), { type: 'ready' });
  });

  it('rejects malformed messages without throwing', () => {
    for (const bad of [null, undefined, 42, 'ready', [], {}, { type: 'nope' }, { type: 'viewChanged' },
      { type: 'viewChanged', view: { language: 'ruby', model: 'threads' } },
      { type: 'viewChanged', view: { language: 'python', model: 'fibers' } }]) {
      assert.equal(parseFromGuide(bad), undefined, JSON.stringify(bad));
    }
  });

  it('validates a persisted view state', () => {
    assert.deepEqual(parseGuideViewState({ language: 'python', model: 'processes' }), { language: 'python', model: 'processes' });
    assert.equal(parseGuideViewState({ language: 'python' }), undefined);
    assert.equal(parseGuideViewState('python'), undefined);
  });

  it('keeps only the valid fields of an open-guide request', () => {
    assert.deepEqual(parseGuideViewRequest({ model: 'threads' }), { model: 'threads' });
    assert.deepEqual(parseGuideViewRequest({ language: 'node', model: 'nope' }), { language: 'node' });
    assert.deepEqual(parseGuideViewRequest(undefined), {});
    assert.deepEqual(parseGuideViewRequest('threads'), {});
  });
});
