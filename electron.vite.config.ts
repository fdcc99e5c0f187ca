import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build for every runtime: the Electron main process, the CLI and the browser-mode
// server share src/main; the worker entries run as separate threads/processes.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          'parse-worker': resolve('src/main/features/import/parse-worker.ts'),
          'parquet-reader': resolve('src/main/features/import/parquet-reader-process.ts'),
          'mine-file-scan': resolve('src/main/features/mine-file/scan-process.ts'),
          'checkpoint-worker': resolve('src/main/store/checkpoint-worker.ts'),
          'export-process': resolve('src/main/features/export/export-process.ts'),
          'export-worker': resolve('src/main/features/export/export-worker.ts'),
          'model-process': resolve('src/main/features/models/model-process.ts'),
          'tokenize-worker': resolve('src/main/features/models/tokenize-worker.ts'),
          'rescore-reader': resolve('src/main/features/models/rescore-reader.ts'),
          'predictions-worker': resolve('src/main/features/predictions/predictions-worker.ts'),
          'learn-worker': resolve('src/main/features/learn/learn-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
