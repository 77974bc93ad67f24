/**
 * What the guide panel knows: its content in both locales and the decision helper. Loaded with the
 * first panel (a dynamic import), not at activation: it is most of the guide's code.
 */
export { GUIDE_CONTENT, localize, localizedContent } from '../core/guide/content';
export { decide } from '../core/guide/decide';
