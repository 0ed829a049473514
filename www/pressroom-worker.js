// Pressroom's search worker: the engine runs here, so a slow query never blocks typing.
//
// The widget (pressroom.js) starts it as a module worker next to itself and talks to it with
// messages; every request carries an id that its one reply repeats:
//
//   → { id, type: 'open', base }               ← { id }            once the index is loaded
//   → { id, type: 'search', query, options }   ← { id, results }
//   any failure                                ← { id, error: message }
//
// One worker serves one index folder; the widget starts another for another folder.

import { Pressroom } from './pressroom-core.js';

let opening = null; // Promise<Pressroom>

self.addEventListener('message', async ({ data: { id, type, base, query, options } }) => {
  try {
    if (type === 'open') {
      // A failed open may be a passing network error: the next 'open' tries again.
      if (!opening) opening = Pressroom.open(base).catch((err) => { opening = null; throw err; });
      await opening;
      self.postMessage({ id });
    } else if (type === 'search') {
      if (!opening) throw new Error('The index has not been opened');
      self.postMessage({ id, results: await (await opening).search(query, options) });
    } else {
      throw new Error(`Unknown request ${type}`);
    }
  } catch (err) {
    self.postMessage({ id, error: err?.message ?? String(err) });
  }
});
