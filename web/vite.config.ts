/**
 * Vite build of the web client (the /admin workbench and the public portal).
 *
 * Run from the repository root: `npx vite build --config web/vite.config.ts`.
 * The server serves web/dist statically; in development `npx vite --config
 * web/vite.config.ts` proxies /api to a `lantai serve` on LANTAI's default port.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = { '/api': 'http://127.0.0.1:3000' };

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  server: { proxy: api },
  preview: { proxy: api },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Ant Design is most of the bytes and changes less often than our code, so it is one vendor chunk
    // that browsers keep across releases (about 270 kB gzipped); the size warning would only repeat that.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|react-router|scheduler|@tanstack)[\\/]/, priority: 20 },
            { name: 'antd', test: /[\\/]node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|@emotion|dayjs)[\\/]/, priority: 10 },
            { name: 'i18n', test: /[\\/]node_modules[\\/](i18next|react-i18next)[\\/]/, priority: 10 },
            { name: 'zod', test: /[\\/]node_modules[\\/]zod[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
});
