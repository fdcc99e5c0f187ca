import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './client/api';
import { applyTheme } from './components/ThemeSwitch';
import { start, useWorkbench } from './store/workbench';
import './styles.css';
import './screens.css';
import { TipProvider } from './components/Tip';

// Before the first paint, so a dark desktop never flashes light.
applyTheme(useWorkbench.getState().theme);
const connection = connect();
if (connection.client) start(connection.client, null, connection.mode);
else start(null, connection.problem, 'browser');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TipProvider>
      <App />
    </TipProvider>
  </StrictMode>,
);
