// Vite configuration of the console. The page is served by `deconflict serve` at `/`, from the
// same origin as the API, so assets live under /assets/ and API calls use absolute /v1 paths.
// `vite` and `vite preview` proxy /v1 (HTTP and WebSocket) to DECONFLICT_API, a running server.
import { defineConfig } from 'vite';

const api = process.env.DECONFLICT_API ?? 'http://127.0.0.1:8080';
const proxy = { '/v1': { target: api, ws: true, changeOrigin: false } };

export default defineConfig({
  base: '/',
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy },
  preview: { proxy },
});
