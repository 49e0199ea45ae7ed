import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Static files for `/console/` behind the load balancer: every API call is same-origin.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { conditions: ['@switchboard/source'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
