import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './client/api';
import { start } from './store/workbench';
import './styles.css';

const connection = connect();
if (connection.client) start(connection.client, null, connection.mode);
else start(null, connection.problem, 'browser');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
