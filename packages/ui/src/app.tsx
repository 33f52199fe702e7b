import { useState } from 'react';
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router';
import { getToken, setToken } from './api/api-client.js';
import { Empty } from './components/states.js';
import { useLiveConnected } from './lib/use-api.js';
import { AssetPage } from './pages/asset-page.js';
import { AutomationPage } from './pages/automation-page.js';
import { BackfillPage, BackfillsPage } from './pages/backfills-page.js';
import { ChecksPage } from './pages/checks-page.js';
import { GraphPage } from './pages/graph-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';

/** The whole UI: header with navigation, token field and live indicator, and the routed pages. */
export function App() {
  return (
    <BrowserRouter>
      <Header />
      <main>
        <Routes>
          <Route path="/" element={<GraphPage />} />
          <Route path="/assets/:key" element={<AssetPage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/backfills" element={<BackfillsPage />} />
          <Route path="/backfills/:id" element={<BackfillPage />} />
          <Route path="/automation" element={<AutomationPage />} />
          <Route path="/checks" element={<ChecksPage />} />
          <Route
            path="*"
            element={
              <Empty>
                Page not found. <Link to="/">Back to the asset graph</Link>.
              </Empty>
            }
          />
        </Routes>
      </main>
    </BrowserRouter>
  );
}

function Header() {
  const live = useLiveConnected();
  const [token, setTokenState] = useState(getToken() ?? '');
  const [editing, setEditing] = useState(false);
  return (
    <header className="app-header">
      <Link to="/" className="brand">
        <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
          <ellipse cx="9" cy="15" rx="7" ry="2.5" fill="currentColor" opacity="0.5" />
          <ellipse cx="9" cy="10.5" rx="5" ry="2.2" fill="currentColor" opacity="0.7" />
          <ellipse cx="9" cy="6.5" rx="3.2" ry="1.8" fill="currentColor" />
          <ellipse cx="9" cy="3.2" rx="1.8" ry="1.2" fill="currentColor" />
        </svg>{' '}
        Cairn
      </Link>
      <nav>
        <NavLink to="/" end>
          Graph
        </NavLink>
        <NavLink to="/runs">Runs</NavLink>
        <NavLink to="/backfills">Backfills</NavLink>
        <NavLink to="/automation">Automation</NavLink>
        <NavLink to="/checks">Checks</NavLink>
      </nav>
      <span className="spacer" />
      <span
        className={`live ${live ? 'on' : 'off'}`}
        title="Live updates from GET /api/events"
        data-testid="live"
      >
        {live ? '● live' : '○ offline'}
      </span>
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(token.trim() || null);
            setEditing(false);
            location.reload();
          }}
        >
          <input
            type="password"
            aria-label="API token"
            placeholder="API token"
            value={token}
            onChange={(e) => setTokenState(e.target.value)}
          />
          <button type="submit">Save</button>
        </form>
      ) : (
        <button type="button" onClick={() => setEditing(true)}>
          {getToken() ? 'Token ✓' : 'Token'}
        </button>
      )}
    </header>
  );
}
