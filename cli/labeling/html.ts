/** The labeling sheet's escaping is core/html.ts (shared with the run report). */
export { escapeHtml } from '../../core/html.js';
