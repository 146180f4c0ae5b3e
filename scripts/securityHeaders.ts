/**
 * A strict Content-Security-Policy for `vite` (dev) and `vite preview`: scripts, workers, data and
 * styles only from the app's own origin, no inline script, no remote origins. WebAssembly needs
 * 'wasm-unsafe-eval' (compiling the wasm backend's module), nothing needs 'unsafe-eval'.
 *
 * Dev differs in one point: Vite and the React plugin inject an inline module script (the refresh
 * preamble) and <style> elements for hot CSS; they carry `DEV_NONCE` (Vite's `html.cspNonce`) and the
 * dev policy allows that nonce. The production build has no inline script or style at all.
 */
import type { Plugin } from 'vite';

/** Dev only: a fixed nonce is no secret, but dev serves only the developer's own code on localhost. */
export const DEV_NONCE = 'mnist-lab-dev';

function policy(dev: boolean): string {
  const nonce = dev ? ` 'nonce-${DEV_NONCE}'` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${nonce}`,
    "worker-src 'self'",
    // Dev's hot-module websocket is same-origin; 'self' covers ws: there in CSP 3 browsers.
    "connect-src 'self'",
    `style-src 'self'${nonce}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const HEADERS = (dev: boolean): Record<string, string> => ({
  'Content-Security-Policy': policy(dev),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
});

export function securityHeaders(): Plugin {
  return {
    name: 'mnist-lab-security-headers',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        for (const [name, value] of Object.entries(HEADERS(true))) res.setHeader(name, value);
        next();
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use((_req, res, next) => {
        for (const [name, value] of Object.entries(HEADERS(false))) res.setHeader(name, value);
        next();
      });
    },
  };
}
