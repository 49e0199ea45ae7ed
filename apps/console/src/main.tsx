import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App basename={import.meta.env.BASE_URL.replace(/\/$/, '')} />
  </StrictMode>,
);
