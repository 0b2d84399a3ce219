import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress';

export default defineConfig({
  plugins: [svelte(), precompress()],
  // Pages other than login and the meeting list are split off (src/lib/pages.ts); the warning limit
  // keeps any one chunk small enough for a 256 kbit/s site.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 300 },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/socket.io': { target: 'ws://localhost:8080', ws: true }, '/nms': 'http://localhost:8090' },
  },
});
