// broker's page: read a brief annotated, browse and edit the glossary (SPEC §11).
//
// Hand-written, no framework, no build step. It is a client of the JSON API like any other.
// Every piece of text from the user or the server reaches the DOM through textContent or an
// attribute set with setAttribute — never innerHTML — so a brief holding <script> stays text.
// The tokens live in this tab's sessionStorage only: the admin token is sent on edits only,
// the read token (for a server started with --read-token) on every other call.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEYS = { admin: 'broker.adminToken', read: 'broker.readToken' };
  const SIDE_NAME = { it: 'IT', marketing: 'marketing' };
  const SIDE_TITLE = { it: 'IT', marketing: 'Marketing' };
  const other = (side) => (side === 'it' ? 'marketing' : 'it');

  // ---- small helpers ------------------------------------------------------------------

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  function clear(node, ...children) {
    node.replaceChildren(...children);
  }

  function setStatus(node, message, kind) {
    node.textContent = message || '';
    node.classList.toggle('error', kind === 'error');
    node.classList.toggle('ok', kind === 'ok');
  }

  function debounce(fn, ms) {
    let timer = 0;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  /** The admin token (`kind` 'admin', the default) or the read token ('read'); '' if none. */
  function token(kind = 'admin') {
    return sessionStorage.getItem(TOKEN_KEYS[kind]) || '';
  }

  /** True on a phone-sized screen (the width where the page turns to one column). */
  const phone = () => window.matchMedia('(max-width: 44rem)').matches;

  /** Calls the API; never throws for HTTP errors: {status, ok, data, error}. */
  async function api(method, path, opts = {}) {
    const headers = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const bearer = token(opts.admin ? 'admin' : 'read');
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    if (opts.etag) headers['If-Match'] = opts.etag;
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        cache: 'no-store',
      });
    } catch (e) {
      return { status: 0, ok: false, data: null, error: 'the server cannot be reached (' + e.message + ')' };
    }
    const body = await res.text();
    let data = null;
    try {
      data = body ? JSON.parse(body) : null;
    } catch (_) {
      data = null;
    }
    let error = res.ok
      ? ''
      : (data && data.error && data.error.message) || `HTTP ${res.status} ${res.statusText}`;
    if (res.status === 401 && !opts.admin) {
      const refused = !!token('read');
      error = refused
        ? 'The read token was refused. Check it under “Tokens” at the top of the page.'
        : 'This server needs a read token. Type it under “Tokens” at the top of the page.';
      readTokenNeeded(refused ? 'Refused: check the token.' : 'This server needs a read token: type it here.');
    }
    const e = (data && data.error) || {};
    return { status: res.status, ok: res.ok, data, error, code: e.code, field: e.field };
  }

  /** A read was refused for want of a (right) read token: open the token row and say so there. */
  function readTokenNeeded(message) {
    $('tokens').open = true;
    setStatus($('read-token-state'), message, 'error');
    $('read-token').setAttribute('aria-invalid', 'true');
  }

  /** The server has no such route (an older broker): 404 from the fallback, or 405. */
  const missingRoute = (r) => r.status === 405 || (r.status === 404 && /^no route for/.test(r.error));

  const query = (params) =>
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v))
      .join('&');

  // Concepts by id, for notes and pages; emptied when the glossary changes.
  const concepts = new Map();
  let glossaryVersion = '';
  function glossaryIs(version) {
    if (version && version !== glossaryVersion) {
      glossaryVersion = version;
      concepts.clear();
    }
  }
  async function getConcept(id) {
    if (concepts.has(id)) return concepts.get(id);
    const r = await api('GET', '/v1/concepts/' + encodeURIComponent(id));
    const c = r.ok ? r.data : null;
    if (c) concepts.set(id, c);
    return c;
  }
  const fold = (s) => (s || '').toLowerCase();
  const sideTerms = (c, side) => (c && c[side] && c[side].terms) || [];
  /** A concept's name for this page's reader: their side's preferred term, else the other
   *  side's, else the id. */
  const nameOf = (c, reader = $('audience').value) =>
    sideTerms(c, reader)[0] || sideTerms(c, other(reader))[0] || c.id;

  // ---- the reader (kept in the URL: ?for=it|marketing) ---------------------------------

  function readerFromUrl() {
    const v = new URLSearchParams(location.search).get('for');
    return v === 'it' || v === 'marketing' ? v : null;
  }

  function keepReaderInUrl(reader) {
    const params = new URLSearchParams(location.search);
    params.set('for', reader);
    history.replaceState(null, '', location.pathname + '?' + params.toString() + location.hash);
  }

  // ---- Read ------------------------------------------------------------------------------

  const FORMATS = { text: 'inline', markdown: 'markdown', html: 'html' };
  let translateSeq = 0;
  let copyText = '';

  function formatForFile(name) {
    const n = fold(name);
    if (n.endsWith('.md') || n.endsWith('.markdown')) return 'markdown';
    if (n.endsWith('.html') || n.endsWith('.htm')) return 'html';
    return 'text';
  }

  async function loadFile(file) {
    if (!file) return;
    $('format').value = formatForFile(file.name);
    $('text').value = await file.text();
    setStatus($('status'), `Opened ${file.name}.`);
    translate({ show: true });
  }

  /** The note a reader is given for a false friend, as the server's renderings word it. */
  async function senseNote(a, reader) {
    if (!a.false_friend) return null;
    // The sense the reader would assume: another option of the span whose term is on the
    // reader's side.
    let assumed = null;
    for (const id of a.alternatives) {
      const c = await getConcept(id);
      const terms = sideTerms(c, reader);
      if (terms.some((t) => fold(t) === fold(a.term))) {
        assumed = terms.find((t) => fold(t) !== fold(a.term)) || terms[0];
        break;
      }
    }
    if (!assumed) return null;
    let gloss = a.equivalents[0];
    if (!gloss) {
      const own = await getConcept(a.concept_id);
      gloss = sideTerms(own, a.side).find((t) => fold(t) !== fold(a.term));
    }
    if (!gloss) gloss = a.definition.trim().replace(/\.+$/, '');
    return { meant: gloss, assumed, sense: `${SIDE_NAME[a.side]} sense` };
  }

  /** The spans this reader gets explained: the other side's jargon (shared terms come back
   *  on the reader's side), once per concept unless "every mention" is asked for. */
  function explainedSpans(annotations, reader, every) {
    const seen = new Set();
    const out = [];
    for (const a of annotations) {
      if (a.side === reader) continue;
      if (!every && seen.has(a.concept_id)) continue;
      seen.add(a.concept_id);
      out.push(a);
    }
    return out;
  }

  function titleFor(a, sense) {
    if (sense) return `${sense.sense}: ${sense.meant}, not ${sense.assumed}. ${a.definition}`;
    return a.equivalents[0] ? `${a.equivalents[0]} — ${a.definition}` : a.definition;
  }

  /** Translates the brief. `show`: the reader asked for it (button, file), so on a phone the
   *  result is scrolled into view. */
  async function translate({ show = false } = {}) {
    const text = $('text').value;
    const reader = $('audience').value;
    const format = $('format').value;
    const every = $('every').checked;
    const seq = ++translateSeq;
    if (!text.trim()) {
      showEmpty();
      return;
    }
    setStatus($('status'), 'Translating…');
    const body = { text, audience: reader, format: FORMATS[format], explain: every ? 'every' : 'first' };
    const calls = [api('POST', '/v1/translate', { body })];
    if (format === 'text') calls.push(api('POST', '/v1/translate', { body: { ...body, format: 'markdown' } }));
    const [r, md] = await Promise.all(calls);
    if (seq !== translateSeq) return; // a newer request is under way
    if (!r.ok) {
      setStatus($('status'), r.error, 'error');
      return;
    }
    const resp = r.data;
    glossaryIs(resp.glossary_version);
    const spans = explainedSpans(resp.annotations, reader, every);
    const senses = new Map();
    for (const a of spans) {
      if (a.false_friend && !senses.has(a.concept_id)) senses.set(a.concept_id, await senseNote(a, reader));
    }
    if (seq !== translateSeq) return;
    renderResult(text, spans, senses, reader);
    renderConceptList(spans, senses);
    renderGaps(resp.gaps || []);
    const source = format === 'text' ? md && md.ok && md.data : resp;
    const rendering = source && source.renderings && source.renderings[0];
    copyText = rendering ? rendering.text : '';
    $('copy-md').textContent = format === 'html' ? 'Copy as HTML' : 'Copy as Markdown';
    $('md-details').querySelector('summary').textContent =
      format === 'html' ? 'HTML with explanations' : 'Markdown with footnotes';
    $('markdown').textContent = copyText;
    $('copy-md').disabled = !copyText;
    const n = resp.annotations.length;
    setStatus(
      $('status'),
      `${spans.length} explained for ${SIDE_NAME[reader]} · ${n} mention${n === 1 ? '' : 's'} found`,
      'ok',
    );
    // On a phone the result goes above the brief — unless the reader is typing in the brief,
    // which must not jump away under their fingers.
    if (phone() && (show || document.activeElement !== $('text'))) {
      $('read-grid').classList.add('result-first');
      if (show) $('result-title').scrollIntoView({ block: 'start' });
    }
  }

  function showEmpty() {
    $('read-grid').classList.remove('result-first');
    clear($('result'), el('p', { class: 'muted', text: 'The annotated brief appears here.' }));
    clear($('concepts'), el('li', { class: 'muted', text: 'Nothing yet.' }));
    clear($('gaps'), el('li', { class: 'muted', text: 'None.' }));
    copyText = '';
    $('markdown').textContent = '';
    $('copy-md').disabled = true;
    setStatus($('status'), '');
  }

  /** The brief as text nodes, with each explained span a focusable <mark>. Offsets are the
   *  API's UTF-16 ones, which are JavaScript string indexes. */
  function renderResult(text, spans, senses, reader) {
    const out = [];
    let at = 0;
    for (const a of spans) {
      if (a.utf16_start < at) continue;
      out.push(document.createTextNode(text.slice(at, a.utf16_start)));
      const sense = senses.get(a.concept_id);
      const mark = el(
        'mark',
        {
          class: sense ? 'term false-friend' : 'term',
          tabindex: 0,
          'data-concept': a.concept_id,
          'data-side': a.side,
          title: titleFor(a, sense),
        },
        text.slice(a.utf16_start, a.utf16_end),
      );
      mark.brokerNote = { a, sense, reader };
      out.push(mark);
      at = a.utf16_end;
    }
    out.push(document.createTextNode(text.slice(at)));
    clear($('result'), ...out);
    hideTip();
  }

  function renderConceptList(spans, senses) {
    const seen = new Set();
    const items = [];
    for (const a of spans) {
      if (seen.has(a.concept_id)) continue;
      seen.add(a.concept_id);
      const sense = senses.get(a.concept_id);
      items.push(
        el(
          'li',
          { 'data-concept': a.concept_id },
          el('a', { href: '#concept/' + encodeURIComponent(a.concept_id), text: a.text }),
          sense ? el('span', { class: 'badge ff', text: 'false friend' }) : null,
          el('span', {
            class: 'eq',
            text: sense ? `${sense.sense}: ${sense.meant}, not ${sense.assumed}` : '≈ ' + (a.equivalents[0] || a.definition),
          }),
        ),
      );
    }
    clear($('concepts'), ...(items.length ? items : [el('li', { class: 'muted', text: 'Nothing to explain.' })]));
  }

  /** The number of terms of the served glossary (from /v1/info), for the empty gaps list. */
  let knownTerms = 0;
  function renderGaps(gaps) {
    const seen = new Map();
    for (const g of gaps) {
      const k = fold(g.text);
      if (!seen.has(k)) seen.set(k, { g, n: 0 });
      seen.get(k).n += 1;
    }
    const items = [...seen.values()].map(({ g, n }) =>
      el('li', {}, el('span', { text: g.text }), el('span', { class: 'badge', text: g.kind.replace(/_/g, ' ') }),
        n > 1 ? el('span', { class: 'badge', text: '×' + n }) : null),
    );
    // "None." read as "everything was covered": say what was looked for, and against how much.
    const known = knownTerms ? `the ${knownTerms} terms broker knows` : 'the glossary';
    clear($('gaps'), ...(items.length ? items : [el('li', { class: 'muted', text: `None found: no unknown acronym, repeated capitalised name or term the brief defines itself outside ${known}.` })]));
  }

  // The explanation card, for hover, keyboard focus and taps.
  let tipFor = null;
  function showTip(mark) {
    const { a, sense, reader } = mark.brokerNote || {};
    if (!a) return;
    const tip = $('tip');
    const lines = [];
    if (sense) {
      lines.push(el('p', { class: 'sense', text: `False friend — ${sense.sense} meant: ${sense.meant}` }));
      lines.push(el('p', { text: `Not the ${SIDE_NAME[reader]} sense you may know: ${sense.assumed}.` }));
    }
    const rest = a.equivalents.filter((t) => !sense || t !== sense.meant);
    if (!sense && rest.length) {
      lines.push(el('p', {}, el('span', { class: 'eq', text: '≈ ' + rest[0] }),
        rest.length > 1 ? el('span', { class: 'muted', text: ' (also ' + rest.slice(1).join(', ') + ')' }) : null));
    } else if (sense && rest.length) {
      lines.push(el('p', { class: 'muted', text: 'Also called: ' + rest.join(', ') }));
    }
    lines.push(el('p', { text: a.definition }));
    const name = a.equivalents[0] || a.text;
    lines.push(el('p', { class: 'small' }, el('a', { href: '#concept/' + encodeURIComponent(a.concept_id), text: 'Open “' + name + '” in the glossary' })));
    clear(tip, ...lines);
    tip.hidden = false;
    const r = mark.getBoundingClientRect();
    const width = Math.min(tip.offsetWidth, window.innerWidth - 16);
    tip.style.left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + window.innerWidth - width - 8)) + 'px';
    tip.style.top = r.bottom + window.scrollY + 6 + 'px';
    mark.setAttribute('aria-describedby', 'tip');
    tipFor = mark;
  }
  function hideTip() {
    if (tipFor) tipFor.removeAttribute('aria-describedby');
    tipFor = null;
    $('tip').hidden = true;
  }

  function setUpRead() {
    const reader = readerFromUrl();
    if (reader) $('audience').value = reader;
    $('reader-name').textContent = SIDE_NAME[$('audience').value];
    const later = debounce(translate, 350);
    $('text').addEventListener('input', () => {
      if ($('live').checked) later();
    });
    $('translate').addEventListener('click', () => translate({ show: true }));
    $('audience').addEventListener('change', () => {
      keepReaderInUrl($('audience').value);
      $('reader-name').textContent = SIDE_NAME[$('audience').value];
      translate();
    });
    $('format').addEventListener('change', () => translate());
    $('every').addEventListener('change', () => translate());
    $('file').addEventListener('change', (e) => loadFile(e.target.files[0]));
    const area = $('text');
    area.addEventListener('dragover', (e) => {
      if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) {
        e.preventDefault();
        area.classList.add('dragging');
      }
    });
    area.addEventListener('dragleave', () => area.classList.remove('dragging'));
    area.addEventListener('drop', (e) => {
      area.classList.remove('dragging');
      if (e.dataTransfer && e.dataTransfer.files.length) {
        e.preventDefault();
        loadFile(e.dataTransfer.files[0]);
      }
    });
    $('copy-md').addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(copyText);
        setStatus($('copy-status'), 'Copied.', 'ok');
      } catch (_) {
        $('md-details').open = true;
        const range = document.createRange();
        range.selectNodeContents($('markdown'));
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        setStatus($('copy-status'), 'Selected below: press Ctrl+C (⌘C) to copy.');
      }
    });
    const result = $('result');
    const markOf = (e) => e.target.closest && e.target.closest('mark.term');
    result.addEventListener('mouseover', (e) => { const m = markOf(e); if (m) showTip(m); });
    result.addEventListener('focusin', (e) => { const m = markOf(e); if (m) showTip(m); });
    result.addEventListener('click', (e) => { const m = markOf(e); if (m) { m.focus(); showTip(m); } });
    result.addEventListener('mouseout', (e) => { if (markOf(e) && document.activeElement !== markOf(e)) hideTip(); });
    result.addEventListener('focusout', (e) => {
      if (!$('tip').contains(e.relatedTarget)) hideTip();
    });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hideTip(); });
  }

  // ---- Browse ----------------------------------------------------------------------------

  let suggestRoute = true;
  let listRoute = true;
  let nextPage = '';
  let listQuery = { query: '', tag: '' };
  let activeSuggestion = -1;
  let flash = null; // {text, kind} for the next visit of the list ("Deleted …")

  function suggestionItems() {
    return [...$('suggestions').querySelectorAll('li')];
  }
  function closeSuggestions() {
    $('suggestions').hidden = true;
    $('search').setAttribute('aria-expanded', 'false');
    $('search').removeAttribute('aria-activedescendant');
    activeSuggestion = -1;
  }
  function markSuggestion(i) {
    const items = suggestionItems();
    items.forEach((li, j) => li.setAttribute('aria-selected', String(i === j)));
    activeSuggestion = i;
    if (items[i]) {
      $('search').setAttribute('aria-activedescendant', items[i].id);
      items[i].scrollIntoView({ block: 'nearest' });
    }
  }

  const suggest = debounce(async () => {
    const prefix = $('search').value.trim();
    if (!prefix || !suggestRoute) return closeSuggestions();
    const r = await api('GET', '/v1/suggest?' + query({ prefix, limit: 10 }));
    if (missingRoute(r)) suggestRoute = false;
    if (!r.ok || prefix !== $('search').value.trim()) return closeSuggestions();
    const list = (r.data && r.data.suggestions) || [];
    if (!list.length) return closeSuggestions();
    clear(
      $('suggestions'),
      ...list.map((s, i) =>
        el('li', { id: 'sug-' + i, role: 'option', 'aria-selected': 'false', 'data-concept': s.concept_id },
          el('span', { text: s.term }), el('span', { class: 'side-name', text: SIDE_NAME[s.side] || s.side || '' })),
      ),
    );
    $('suggestions').hidden = false;
    $('search').setAttribute('aria-expanded', 'true');
  }, 150);

  function conceptCard(c) {
    const side = (s) =>
      c[s] ? el('p', {}, el('strong', { text: SIDE_TITLE[s] + ': ' }), sideTerms(c, s).join(', ') || '(no terms)') : null;
    return el('li', { 'data-concept': c.id },
      el('h2', {}, el('a', { href: '#concept/' + encodeURIComponent(c.id), text: nameOf(c) })),
      side('it'), side('marketing'),
      c.tags && c.tags.length ? el('p', { class: 'muted small', text: 'tags: ' + c.tags.join(', ') }) : null);
  }

  let listSeq = 0;
  async function loadList(append) {
    const info = $('browse-info');
    const seq = ++listSeq; // an answer to an older search must not replace a newer one's
    let list = [];
    if (listRoute) {
      const r = await api('GET', '/v1/concepts?' + query({ page_size: 24, page_token: append ? nextPage : '', ...listQuery }));
      if (seq !== listSeq) return;
      if (r.ok) {
        list = r.data.concepts || [];
        nextPage = r.data.next_page_token || '';
      } else if (missingRoute(r)) {
        listRoute = false;
      } else {
        setStatus(info, r.error, 'error');
        return;
      }
    }
    if (!listRoute) {
      // Older servers have no listing route: fall back to look-up.
      nextPage = '';
      if (!listQuery.query) {
        setStatus(info, 'Type a term to look it up (this server has no listing route).');
        clear($('concept-list'));
        $('more').hidden = true;
        return;
      }
      const r = await api('GET', '/v1/lookup?' + query({ term: listQuery.query, limit: 24 }));
      if (seq !== listSeq) return;
      if (!r.ok) return setStatus(info, r.error, 'error');
      list = (r.data.hits || []).map((h) => h.concept);
    }
    for (const c of list) concepts.set(c.id, c);
    if (append) $('concept-list').append(...list.map(conceptCard));
    else clear($('concept-list'), ...list.map(conceptCard));
    const shown = $('concept-list').children.length;
    setStatus(info, shown ? `${shown} concept${shown === 1 ? '' : 's'} shown` + (nextPage ? ' (more below)' : '') : 'No concept matches.');
    if (!shown && listQuery.query) info.append(' ', el('a', { href: '#new', text: 'Add a new concept' }));
    $('more').hidden = !nextPage;
  }

  function showBrowse(params) {
    const note = $('browse-flash');
    note.textContent = flash ? flash.text : '';
    note.className = flash ? flash.kind : '';
    note.hidden = !flash;
    flash = null;
    listQuery = { query: params.get('q') || '', tag: params.get('tag') || '' };
    $('search').value = listQuery.query;
    const filter = $('browse-filter');
    if (listQuery.tag) {
      clear(filter, 'Tag: ', el('strong', { text: listQuery.tag }), ' · ', el('a', { href: '#browse', text: 'all concepts' }));
      filter.hidden = false;
    } else {
      filter.hidden = true;
    }
    loadList(false);
  }

  function setUpBrowse() {
    const input = $('search');
    input.addEventListener('input', suggest);
    input.addEventListener('keydown', (e) => {
      const items = suggestionItems();
      if ($('suggestions').hidden || !items.length) return;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        markSuggestion((activeSuggestion + 1) % items.length);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        markSuggestion((activeSuggestion - 1 + items.length) % items.length);
      } else if (e.key === 'Enter' && activeSuggestion >= 0) {
        e.preventDefault();
        location.hash = '#concept/' + encodeURIComponent(items[activeSuggestion].dataset.concept);
        closeSuggestions();
      } else if (e.key === 'Escape') {
        closeSuggestions();
      }
    });
    input.addEventListener('blur', () => setTimeout(closeSuggestions, 200));
    $('suggestions').addEventListener('mousedown', (e) => {
      const li = e.target.closest('li');
      if (!li) return;
      e.preventDefault();
      location.hash = '#concept/' + encodeURIComponent(li.dataset.concept);
      closeSuggestions();
    });
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      closeSuggestions();
      const q = input.value.trim();
      const tag = listQuery.tag;
      const target = '#browse' + (q || tag ? '?' + query({ q, tag }) : '');
      if (location.hash === target) showBrowse(new URLSearchParams(query({ q, tag })));
      else location.hash = target;
    });
    $('more').addEventListener('click', () => loadList(true));
  }

  // ---- a concept's page --------------------------------------------------------------------

  /** Concepts where `term` (of side `side` here) is on the other side: its false friends. */
  async function falseFriends(c, side) {
    const out = [];
    for (const term of sideTerms(c, side)) {
      const r = await api('GET', '/v1/lookup?' + query({ term, limit: 20 }));
      if (!r.ok) continue;
      for (const h of r.data.hits || []) {
        const o = h.concept;
        if (o.id === c.id) continue;
        if (sideTerms(o, other(side)).some((t) => fold(t) === fold(term))) out.push({ term, concept: o });
      }
    }
    return out;
  }

  /** Not a dead end: a link to an id that does not exist (an old link, a guess) becomes a
   *  search for its words, in place of the link in the history. */
  function searchInstead(id) {
    flash = { text: `No concept has the id “${id}”. Concepts that match its words:`, kind: 'muted' };
    location.replace('#browse?' + query({ q: id.replace(/-+/g, ' ') }));
  }

  async function showConcept(id) {
    if (!id) return location.replace('#browse');
    const body = $('concept-body');
    $('concept-title').textContent = id;
    $('concept-id').textContent = '';
    clear(body, el('p', { class: 'muted', text: 'Loading…' }));
    concepts.delete(id);
    const r = await api('GET', '/v1/concepts/' + encodeURIComponent(id));
    if (r.status === 404 && !missingRoute(r)) return searchInstead(id);
    if (!r.ok) {
      clear(body, el('p', { class: 'error', text: r.error }));
      return;
    }
    const c = r.data;
    concepts.set(c.id, c);
    $('concept-title').textContent = nameOf(c);
    $('concept-id').textContent = 'id: ' + c.id;
    document.title = nameOf(c) + ' — broker';
    const sideSection = (s) => {
      const e = c[s];
      const title = SIDE_TITLE[s] + ' side';
      if (!e) return el('section', { 'aria-label': title }, el('h2', { text: title }), el('p', { class: 'muted', text: 'No ' + SIDE_NAME[s] + ' side.' }));
      return el('section', { 'aria-label': title, 'data-side': s },
        el('h2', { text: title }),
        e.terms.length
          ? el('ul', { class: 'terms' }, e.terms.map((t, i) => el('li', {}, i === 0 ? el('strong', { text: t }) : t, i === 0 ? el('span', { class: 'muted small', text: ' (preferred)' }) : null)))
          : el('p', { class: 'muted', text: 'No terms.' }),
        el('p', { class: 'definition', text: e.definition }));
    };
    const parts = [el('div', { class: 'concept-sides' }, sideSection('it'), sideSection('marketing'))];
    if (c.note) parts.push(el('p', {}, el('strong', { text: 'Note: ' }), c.note));
    if (c.tags && c.tags.length) {
      parts.push(el('h2', { text: 'Tags' }), el('ul', { class: 'tags' },
        c.tags.map((t) => el('li', {}, el('a', { href: '#browse?' + query({ tag: t }), text: t })))));
    }
    if (c.cues && c.cues.length) parts.push(el('p', { class: 'muted small', text: 'Cues: ' + c.cues.join(', ') }));
    const ffBox = el('div', { id: 'false-friends' }, el('p', { class: 'muted', text: 'Looking for false friends…' }));
    parts.push(el('h2', { text: 'False friends' }), ffBox);
    parts.push(el('p', { class: 'actions' },
      el('a', { href: '#edit/' + encodeURIComponent(c.id), id: 'edit-link', text: 'Edit this concept' }),
      el('span', { class: 'muted small', text: 'etag ' + c.etag })));
    clear(body, ...parts);
    const ff = [...(await falseFriends(c, 'it')), ...(await falseFriends(c, 'marketing'))];
    clear(ffBox, ff.length
      ? el('ul', {}, ff.map(({ term, concept: o }) => {
        const mine = sideTerms(c, 'it').some((t) => fold(t) === fold(term)) ? 'it' : 'marketing';
        return el('li', { 'data-concept': o.id }, '“' + term + '” means this to ' + SIDE_NAME[mine] + ', but to ' + SIDE_NAME[other(mine)] + ' it means ',
          el('a', { href: '#concept/' + encodeURIComponent(o.id), text: nameOf(o) }),
          sideTerms(o, mine)[0] ? ' (' + SIDE_NAME[mine] + ' would say “' + sideTerms(o, mine)[0] + '”)' : '',
          ': ' + ((o[other(mine)] && o[other(mine)].definition) || ''));
      }))
      : el('p', { class: 'muted', text: 'None: no term of this concept means something else on the other side.' }));
  }

  // ---- Edit --------------------------------------------------------------------------------

  let editing = null; // {id, etag} of the concept being edited; null for a new one
  const FIELDS = ['id', 'it-terms', 'it-definition', 'marketing-terms', 'marketing-definition', 'tags', 'note', 'cues', 'not_in'];
  const FIELD_NAME = {
    id: 'Id', 'it-terms': 'IT terms', 'it-definition': 'IT definition', 'marketing-terms': 'Marketing terms',
    'marketing-definition': 'Marketing definition', tags: 'Tags', note: 'Note', cues: 'Cues', not_in: 'Not in',
  };
  let idTyped = false; // the id of a new concept was typed by hand: stop making it from the terms

  /** An id made from a term: "CI/CD pipeline" → "ci-cd-pipeline", "Café" → "cafe". */
  const slug = (term) => term.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

  /** A new concept's id follows its first term (IT side first) until the id is typed by hand. */
  function deriveId() {
    if (editing || $('f-id').readOnly || idTyped) return;
    const first = lines($('f-it-terms').value)[0] || lines($('f-marketing-terms').value)[0] || '';
    $('f-id').value = slug(first);
  }
  const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
  const commas = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

  function fillForm(c) {
    $('f-id').value = c ? c.id : '';
    for (const s of ['it', 'marketing']) {
      $(`f-${s}-terms`).value = sideTerms(c, s).join('\n');
      $(`f-${s}-definition`).value = (c && c[s] && c[s].definition) || '';
    }
    $('f-tags').value = ((c && c.tags) || []).join(', ');
    $('f-note').value = (c && c.note) || '';
    $('f-cues').value = ((c && c.cues) || []).join(', ');
    $('f-not-in').value = ((c && c.not_in) || []).join(', ');
  }

  function formConcept() {
    const c = { id: $('f-id').value.trim() };
    for (const s of ['it', 'marketing']) {
      const terms = lines($(`f-${s}-terms`).value);
      const definition = $(`f-${s}-definition`).value.trim();
      if (terms.length || definition) c[s] = { terms, definition };
    }
    c.tags = commas($('f-tags').value);
    c.note = $('f-note').value.trim();
    c.cues = commas($('f-cues').value);
    c.not_in = commas($('f-not-in').value);
    return c;
  }

  function fieldInput(key) {
    return key === 'not_in' ? $('f-not-in') : $('f-' + key);
  }

  function clearErrors() {
    for (const k of FIELDS) {
      const e = $('e-' + k);
      e.hidden = true;
      e.textContent = '';
      fieldInput(k).removeAttribute('aria-invalid');
    }
    $('edit-error').hidden = true;
    $('conflict').hidden = true;
  }

  /** The field a server message names (`it.terms[1]: …`, `concept.id: …`,
   *  `file.toml:12: concept 'x': marketing.definition: …`, or in words), as a FIELDS key. */
  function fieldOf(message) {
    const m = /^(?:[^\s:]+\.toml:\d+:\s*)?(?:concept '[^']*':\s*)?(?:concept\.)?(id|tags|note|cues|not_in|terms|it|marketing)(?:\.(terms|definition))?(?:\[\d+\])?(?:\.[a-z_]+)?:\s*/.exec(message);
    if (m) {
      if (m[2]) return `${m[1]}-${m[2]}`;
      if (m[1] === 'terms') return 'it-terms';
      return m[1] === 'it' || m[1] === 'marketing' ? `${m[1]}-terms` : m[1];
    }
    // Loader messages name the field in words: "… it side has terms but no definition".
    const w = /\b(it|marketing)[ .](terms|definition)\b/i.exec(message) || /\b(it|marketing) side\b.*\b(definition|terms?)\b/i.exec(message);
    if (w) return `${w[1].toLowerCase()}-${w[2].toLowerCase().startsWith('def') ? 'definition' : 'terms'}`;
    if (/duplicate id|\bid\b/i.test(message)) return 'id';
    return null;
  }

  /** A server message in words for someone who does not read code: what is wrong and what to
   *  do. Messages it does not know keep their words, without the code-like field path. */
  function plainWords(message, key) {
    const side = key && key.startsWith('marketing') ? 'marketing' : 'it';
    const index = /\[(\d+)\]/.exec(message);
    const nth = index ? ['first', 'second', 'third', 'fourth', 'fifth'][+index[1]] || `number ${+index[1] + 1}` : '';
    const rules = [
      [/is required when the side is present/, () =>
        `Write a definition for the ${SIDE_NAME[side]} side: a sentence or two saying what this means to ${SIDE_NAME[side]} people. A side that has terms needs one.`],
      [/a concept needs an 'it' side|has no terms/, () =>
        'Write at least one term: on the IT side, the marketing side, or both.'],
      [/^(?:concept\.)?id: is required/, () =>
        'Give the concept an id. It is made from the first term you type; you can change it.'],
      [/is not a valid id/, () =>
        'The id can only hold lower-case letters (a–z), digits and dashes, like “hallway-test”. Spaces and capitals are not allowed.'],
      [/already exists/, () =>
        `There is already a concept with the id “${$('f-id').value.trim()}”. Change the id, or open that concept to edit it.`],
      [/duplicate id/, () =>
        'Another concept already has this id. Change the id.'],
      [/term '([^']*)' has (\d+) words; the most is (\d+)/, (m) =>
        `“${m[1]}” is too long for a term (${m[2]} words; at most ${m[3]}). Shorten it, and put the longer wording in the definition.`],
      [/empty term|has no words/, () =>
        `The ${nth} ${SIDE_NAME[side]} term is empty. Write a term on each line, or remove the line.`],
      [/must be a phrase of two or more words/, () =>
        '“Not in” takes phrases of two or more words that contain one of the terms, like “pipeline of ideas”, separated by commas.'],
      [/^(?:concept\.)?(?:tags|cues)\[\d+\]: is empty/, () =>
        'Remove the empty entry (two commas in a row, or a comma at the end).'],
    ];
    for (const [re, say] of rules) {
      const m = re.exec(message);
      if (m) return say(m);
    }
    const rest = message.replace(/^(?:[^\s:]+\.toml:\d+:\s*)?(?:concept '[^']*':\s*)?(?:concept\.)?[a-z_]+(?:\.[a-z_]+)?(?:\[\d+\])?:\s*/, '');
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  }

  /** Shows an error in plain words next to the field it names, and moves the focus there (the
   *  field is described by its message); or above the form, focused, when it names none. */
  function showError(message, opts = {}) {
    const key = opts.key || fieldOf(message);
    const words = opts.plain ? message : plainWords(message, key);
    if (key && $('e-' + key)) {
      const e = $('e-' + key);
      e.textContent = words;
      e.hidden = false;
      fieldInput(key).setAttribute('aria-invalid', 'true');
      fieldInput(key).focus();
      setStatus($('edit-status'), 'Not saved: see the message under ' + FIELD_NAME[key] + '.', 'error');
    } else {
      $('edit-error').textContent = words;
      $('edit-error').hidden = false;
      $('edit-error').focus();
    }
  }

  /** A concept as lines of "field: value", for showing two versions side by side. */
  function describe(c) {
    if (!c) return ['(deleted)'];
    const out = [];
    for (const s of ['it', 'marketing']) {
      if (!c[s]) continue;
      out.push(`${SIDE_TITLE[s]} terms: ${c[s].terms.join(', ')}`, `${SIDE_TITLE[s]} definition: ${c[s].definition}`);
    }
    if (c.tags && c.tags.length) out.push('Tags: ' + c.tags.join(', '));
    if (c.note) out.push('Note: ' + c.note);
    if (c.cues && c.cues.length) out.push('Cues: ' + c.cues.join(', '));
    if (c.not_in && c.not_in.length) out.push('Not in: ' + c.not_in.join(', '));
    return out;
  }

  /** One version's lines, those that the other version lacks marked as changed. */
  function versionLines(mine, theirs) {
    return el('pre', {}, mine.map((line) =>
      el('span', { class: theirs.includes(line) ? 'same' : 'changed' }, line + '\n')));
  }

  /** A stale etag: someone else saved (or deleted) the concept since it was opened. */
  async function showConflict(mine, action) {
    const r = await api('GET', '/v1/concepts/' + encodeURIComponent(mine.id));
    const theirs = r.ok ? r.data : null;
    const box = $('conflict');
    const keep = el('button', { type: 'button', id: 'keep-mine', class: 'primary', text: action === 'delete' ? 'Delete anyway' : 'Save mine over theirs' });
    const take = el('button', { type: 'button', id: 'take-theirs', text: theirs ? 'Discard mine, load theirs' : 'Discard mine' });
    keep.addEventListener('click', () => {
      editing = theirs ? { id: theirs.id, etag: theirs.etag } : null;
      if (action === 'delete') deleteConcept(true);
      else save();
    });
    take.addEventListener('click', () => {
      if (theirs) openEditor(theirs.id);
      else location.hash = '#browse';
    });
    clear(box,
      el('h2', { text: 'Changed by someone else' }),
      el('p', { text: theirs ? 'This concept was changed by someone else since you opened it. Nothing of yours was saved.' : 'This concept was deleted by someone else since you opened it.' }),
      el('div', { class: 'versions' },
        el('section', { class: 'version', id: 'theirs', 'aria-label': 'Current version' }, el('h3', { text: 'Current version' }), versionLines(describe(theirs), describe(mine))),
        el('section', { class: 'version', id: 'mine', 'aria-label': 'Your version' }, el('h3', { text: 'Your version (not saved)' }), versionLines(describe(mine), describe(theirs)))),
      el('p', { class: 'muted small', text: 'Lines that differ are marked.' }),
      el('p', { class: 'actions' }, keep, take));
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }

  async function save() {
    clearErrors();
    const c = formConcept();
    const status = $('edit-status');
    if (!token()) return adminTokenNeeded('Saving needs the admin token: type it here, then save again.');
    if (!c.id) return showError('id: is required');
    if (!editing) {
      const existing = await api('GET', '/v1/concepts/' + encodeURIComponent(c.id));
      if (existing.ok) return showError(`id: a concept "${c.id}" already exists; open it to edit it`);
    }
    setStatus(status, 'Saving…');
    const r = await api('PUT', '/v1/concepts/' + encodeURIComponent(c.id), { body: c, admin: true, etag: editing && editing.etag });
    if (r.ok) {
      const saved = r.data && r.data.id ? r.data : (await api('GET', '/v1/concepts/' + encodeURIComponent(c.id))).data;
      concepts.clear();
      editing = { id: saved.id, etag: saved.etag };
      setStatus(status, 'Saved.', 'ok');
      $('conflict').hidden = true;
      fillForm(saved);
      $('f-id').readOnly = true;
      $('id-help').textContent = 'the id stays once the concept exists (links and edits name it)';
      $('delete').hidden = false;
      return;
    }
    setStatus(status, '');
    if (r.status === 412 || r.status === 409 || r.code === 'ABORTED') return showConflict(c, 'save');
    if (missingRoute(r)) return showError('This server does not accept edits over HTTP (no PUT /v1/concepts route): ' + r.error, { plain: true });
    if (r.status === 401) return adminTokenNeeded('The admin token was refused: check it, then save again.');
    if (r.code === 'FAILED_PRECONDITION') return showError(`This server does not accept edits. Ask whoever runs it; the server says: ${r.error}`, { plain: true });
    showError(r.error, { key: r.field ? fieldOf(r.field + ':') : null });
  }

  let deleteArmed = 0;
  async function deleteConcept(confirmed) {
    const button = $('delete');
    if (!editing) return;
    if (!token()) return adminTokenNeeded('Deleting needs the admin token: type it here, then delete again.');
    if (!confirmed && !deleteArmed) {
      button.textContent = `Really delete “${editing.id}”?`;
      deleteArmed = setTimeout(() => {
        deleteArmed = 0;
        button.textContent = 'Delete';
      }, 6000);
      return;
    }
    clearTimeout(deleteArmed);
    deleteArmed = 0;
    button.textContent = 'Delete';
    clearErrors();
    const r = await api('DELETE', '/v1/concepts/' + encodeURIComponent(editing.id), { admin: true, etag: editing.etag });
    if (r.ok) {
      concepts.clear();
      flash = { text: `Deleted “${editing.id}”.`, kind: 'ok' };
      editing = null;
      location.hash = '#browse';
      return;
    }
    if (r.status === 412 || r.status === 409 || r.code === 'ABORTED') return showConflict(formConcept(), 'delete');
    showError(r.error);
  }

  async function openEditor(id) {
    clearErrors();
    setStatus($('edit-status'), '');
    editing = null;
    idTyped = false;
    if (!token()) $('tokens').open = true;
    $('delete').hidden = !id;
    $('f-id').readOnly = !!id;
    $('id-help').textContent = id
      ? 'the id stays once the concept exists (links and edits name it)'
      : 'made from the first term; you can change it (lower-case letters, digits and dashes)';
    $('edit-title').textContent = id ? 'Edit ' + id : 'New concept';
    $('edit-cancel').setAttribute('href', id ? '#concept/' + encodeURIComponent(id) : '#browse');
    if (!id) {
      fillForm(null);
      return;
    }
    const r = await api('GET', '/v1/concepts/' + encodeURIComponent(id));
    if (r.status === 404 && !missingRoute(r)) return searchInstead(id);
    if (!r.ok) {
      fillForm(null);
      showError(r.error, { plain: true });
      return;
    }
    fillForm(r.data);
    editing = { id: r.data.id, etag: r.data.etag };
    $('edit-title').textContent = 'Edit “' + nameOf(r.data) + '”';
  }

  function setUpEdit() {
    $('edit-form').addEventListener('submit', (e) => {
      e.preventDefault();
      save();
    });
    $('delete').addEventListener('click', () => deleteConcept(false));
    for (const key of ['it-terms', 'marketing-terms']) $('f-' + key).addEventListener('input', deriveId);
    $('f-id').addEventListener('input', () => {
      idTyped = $('f-id').value.trim() !== '';
    });
    setUpToken('admin', '');
    setUpToken('read', 'read-', () => {
      // Reads work now: load what the refused calls could not.
      showInfo();
      if ($('view-edit').hidden) route(false); // (never over a form being filled in)
      if ($('text').value.trim()) translate();
    });
    showTokens();
  }

  /** The token row of `kind` (ids prefixed by `prefix`): Use keeps it for this tab, Forget
   *  drops it. `then` runs after either. */
  function setUpToken(kind, prefix, then) {
    $(prefix + 'token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const t = $(prefix + 'token').value.trim();
      if (t) sessionStorage.setItem(TOKEN_KEYS[kind], t);
      else sessionStorage.removeItem(TOKEN_KEYS[kind]);
      showTokens();
      if (then) then();
    });
    $(prefix + 'token-clear').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEYS[kind]);
      $(prefix + 'token').value = '';
      showTokens();
      if (then) then();
    });
  }

  function showTokens() {
    const set = [];
    for (const [kind, prefix] of [['read', 'read-'], ['admin', '']]) {
      const has = !!token(kind);
      if (has) {
        $(prefix + 'token').value = token(kind);
        set.push(kind);
      }
      $(prefix + 'token').removeAttribute('aria-invalid');
      setStatus($(prefix + 'token-state'), has ? 'kept for this tab only' : '', has ? 'ok' : '');
    }
    $('tokens-state').textContent = set.length ? '(' + set.join(' and ') + ' set)' : '';
  }

  /** An edit needs the admin token: open the token row, say so there and in the form, and put
   *  the focus in the field. */
  function adminTokenNeeded(message) {
    $('tokens').open = true;
    setStatus($('token-state'), message, 'error');
    setStatus($('edit-status'), message, 'error');
    $('token').setAttribute('aria-invalid', 'true');
    $('token').focus();
  }

  // ---- routing (#read, #browse?q=&tag=, #concept/ID, #edit/ID, #new) -------------------------

  function route(focus) {
    const hash = location.hash.slice(1);
    const [path, qs] = hash.split('?');
    const [view, ...rest] = path.split('/');
    const arg = decodeURIComponent(rest.join('/'));
    const name = { browse: 'browse', concept: 'concept', edit: 'edit', new: 'edit' }[view] || 'read';
    for (const v of ['read', 'browse', 'concept', 'edit']) $('view-' + v).hidden = v !== name;
    const nav = { read: 'nav-read', browse: 'nav-browse', concept: 'nav-browse', edit: view === 'new' ? 'nav-new' : 'nav-browse' }[name];
    for (const id of ['nav-read', 'nav-browse', 'nav-new']) {
      if (id === nav) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    }
    hideTip();
    if (name === 'browse') showBrowse(new URLSearchParams(qs || ''));
    else if (name === 'concept') showConcept(arg);
    else if (name === 'edit') openEditor(view === 'edit' ? arg : '');
    document.title = { read: 'Read', browse: 'Glossary', concept: arg, edit: view === 'new' ? 'New concept' : 'Edit ' + arg }[name] + ' — broker';
    if (focus) {
      const h1 = $('view-' + name).querySelector('h1');
      h1.setAttribute('tabindex', '-1');
      h1.focus();
    }
  }

  async function showInfo() {
    let r = await api('GET', '/v1/info');
    if (!r.ok) r = await api('GET', '/healthz');
    if (!r.ok) return;
    const d = r.data;
    const n = d.concepts;
    if (d.it_terms !== undefined) knownTerms = Number(d.it_terms) + Number(d.marketing_terms);
    $('info').textContent = `broker · glossary ${String(d.version || d.glossary_version || '').slice(0, 12)} · ${n} concepts`;
  }

  document.addEventListener('DOMContentLoaded', () => {
    setUpRead();
    setUpBrowse();
    setUpEdit();
    window.addEventListener('hashchange', () => route(true));
    route(false);
    showInfo();
    if ($('text').value.trim()) translate();
  });
})();
