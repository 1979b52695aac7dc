// Builds the console into dist/, which the coordinator serves at `/` (it is shipped in the repository).
// `npm run dev -w @shoal/console` serves it with hot reload, proxying the API and sockets to a local coordinator.
import { defineConfig } from 'vite';

const coordinator = process.env['SHOAL_COORDINATOR'] ?? 'http://127.0.0.1:7070';

export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: {
    proxy: {
      '/api': coordinator,
      '/socket.io': { target: coordinator, ws: true },
    },
  },
});
