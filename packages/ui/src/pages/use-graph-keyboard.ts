import { useReactFlow } from '@xyflow/react';
import {
  type Dispatch,
  type KeyboardEvent,
  type RefObject,
  type SetStateAction,
  useCallback,
  useEffect,
  useRef,
} from 'react';
import { isArrowKey, neighbourFor } from '../lib/graph-neighbours.js';
import { NODE_HEIGHT, NODE_WIDTH } from './asset-node.js';

/** What the graph page hands the keyboard hook. */
export interface GraphKeyboardOptions {
  positions: Readonly<Record<string, { x: number; y: number }>> | undefined;
  edges: readonly { from: string; to: string }[] | undefined;
  openKey: string | null;
  setOpenKey: Dispatch<SetStateAction<string | null>>;
  setSelected: Dispatch<SetStateAction<string[]>>;
  searchRef: RefObject<HTMLInputElement | null>;
  panelRef: RefObject<HTMLElement | null>;
}

/** What the graph page wires up: the canvas key handler and the panel's close. */
export interface GraphKeyboard {
  /** Enter, Space and the arrow keys on a focused asset node (Tab reaches the nodes). */
  onCanvasKey: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** Closes the side panel, giving the focus back to the node it was opened from with Enter. */
  closePanel: () => void;
  /** Tells the hook the panel was opened by a click, so closing it moves no focus. */
  openedByPointer: () => void;
}

/**
 * The graph's keyboard: `/` focuses the search; on a focused node Enter opens the side panel and
 * moves the focus into it, Space toggles the node in the selection, arrows move to an upstream
 * (←), downstream (→) or neighbouring (↑ ↓) asset, panning to it when it is off screen; Escape
 * closes the panel (not while a modal dialog is open: the dialog takes its own Escape) and puts
 * the focus back on the node.
 */
export function useGraphKeyboard(o: GraphKeyboardOptions): GraphKeyboard {
  const { positions, edges, openKey, setOpenKey, setSelected, searchRef, panelRef } = o;
  const flow = useReactFlow();
  // The node the panel was opened from with the keyboard, so Escape can put the focus back on it.
  const returnFocus = useRef<string | null>(null);

  /**
   * Focuses an asset's node, panning to it first: with only the visible nodes drawn, a node off
   * screen has no element until the viewport reaches it, so this retries for a few frames.
   */
  const focusNode = useCallback(
    (key: string) => {
      const p = positions?.[key];
      if (p === undefined) return;
      const el = () =>
        document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(key)}"]`);
      const box = el()?.getBoundingClientRect();
      const pane = document.querySelector('.graph-canvas')?.getBoundingClientRect();
      const onScreen =
        box !== undefined &&
        pane !== undefined &&
        box.left >= pane.left &&
        box.right <= pane.right &&
        box.top >= pane.top &&
        box.bottom <= pane.bottom;
      if (!onScreen) {
        void flow.setCenter(p.x + NODE_WIDTH / 2, p.y + NODE_HEIGHT / 2, {
          zoom: Math.max(flow.getZoom(), 0.5),
        });
      }
      let tries = 0;
      const attempt = () => {
        const node = el();
        if (node) node.focus({ preventScroll: true });
        else if (tries++ < 30) requestAnimationFrame(attempt);
      };
      attempt();
    },
    [positions, flow],
  );

  const closePanel = useCallback(() => {
    const back = returnFocus.current;
    returnFocus.current = null;
    setOpenKey(null);
    if (back !== null) requestAnimationFrame(() => focusNode(back));
  }, [focusNode, setOpenKey]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const typing =
        e.target instanceof HTMLInputElement ||
        e.target instanceof HTMLTextAreaElement ||
        e.target instanceof HTMLSelectElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'Escape' && document.querySelector('dialog[open]') === null) {
        closePanel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closePanel, searchRef]);

  // A panel opened with the keyboard takes the focus, so Tab continues inside it.
  useEffect(() => {
    if (openKey !== null && returnFocus.current === openKey) panelRef.current?.focus();
  }, [openKey, panelRef]);

  const onCanvasKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const id = (e.target as HTMLElement)
      .closest('.react-flow__node-asset')
      ?.getAttribute('data-id');
    if (!id || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      returnFocus.current = id;
      setSelected([id]);
      setOpenKey(id);
    } else if (e.key === ' ') {
      e.preventDefault();
      setSelected((prev) => (prev.includes(id) ? prev.filter((k) => k !== id) : [...prev, id]));
    } else if (isArrowKey(e.key) && positions !== undefined && edges !== undefined) {
      e.preventDefault();
      const next = neighbourFor(e.key, id, positions, edges, NODE_WIDTH);
      if (next !== undefined) focusNode(next);
    }
  };

  return {
    onCanvasKey,
    closePanel,
    openedByPointer: () => {
      returnFocus.current = null;
    },
  };
}
