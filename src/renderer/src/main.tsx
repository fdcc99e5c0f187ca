import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './client/api';
import { start } from './store/workbench';
import './styles.css';

const connection = connect();
start(connection.client, connection.client ? null : connection.problem);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
