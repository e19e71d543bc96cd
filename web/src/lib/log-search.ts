import { createStore } from 'solid-js/store';
import { searchEvents } from '../api/jobs.ts';
import { errorMessage } from './format.ts';

/**
 * Searching a job's whole log on the server. Matches are held newest first, a page at a time, and numbered
 * from the newest (the log opens at its end, and a count past the server's cap is only "10,000+"): the
 * current one starts at the newest; `older()` moves up the log, fetching the next page when it runs out;
 * `newer()` moves down.
 */
export function createLogSearch(jobId: string) {
  const [state, setState] = createStore({
    term: '',
    total: 0,
    capped: false,
    ids: [] as number[],
    index: 0,
    busy: false,
    error: '',
  });
  let asked = 0;

  const fetchPage = async (term: string, before?: number) => {
    const ticket = ++asked;
    setState({ busy: true, error: '' });
    try {
      const page = await searchEvents(jobId, term, before);
      return ticket === asked ? page : null;
    } catch (e) {
      if (ticket === asked) setState('error', errorMessage(e));
      return null;
    } finally {
      if (ticket === asked) setState('busy', false);
    }
  };

  return {
    state,
    /** The id of the current match, if any. */
    current: () => state.ids[state.index] ?? null,
    /** 1-based, counted from the newest match. */
    position: () => (state.ids.length ? state.index + 1 : 0),
    async find(term: string) {
      const t = term.trim();
      setState({ term: t, total: 0, capped: false, ids: [], index: 0 });
      if (!t) return;
      const page = await fetchPage(t);
      if (page) setState({ total: page.total, capped: page.capped, ids: page.ids, index: 0 });
    },
    clear() {
      asked++;
      setState({ term: '', total: 0, capped: false, ids: [], index: 0, busy: false, error: '' });
    },
    canOlder: () => state.index + 1 < state.total || state.capped,
    canNewer: () => state.index > 0,
    async older() {
      if (state.index + 1 >= state.total && !state.capped) return;
      if (state.index + 1 >= state.ids.length) {
        const page = await fetchPage(state.term, state.ids.at(-1));
        if (!page || page.ids.length === 0) return setState('capped', false);
        setState('ids', (ids) => [...ids, ...page.ids]);
      }
      setState('index', (i) => i + 1);
    },
    newer() {
      if (state.index > 0) setState('index', (i) => i - 1);
    },
  };
}
export type LogSearch = ReturnType<typeof createLogSearch>;
