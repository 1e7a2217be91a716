'use strict';
// xqsim explore: the controls build API queries; every number shown comes back from GET /api/... (the CLI's --json).
(function () {
  const $ = (id) => document.getElementById(id);
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const state = { model: '', hardware: '', tp: 1, weights: 'bf16', phase: 'decode', batch: 1, context: 4096, schemes: [], focus: '', devices: '', spec: '' };
  const TP_CHOICES = [1, 2, 4, 8];
  const data = { cmp: null, dev: null, be: null };
  const csv = {};
  let options = null;
  let generation = 0;

  const fmt = {
    sec: (s) => s == null ? '–' : s >= 1 ? s.toFixed(3) + ' s' : s >= 1e-3 ? (s * 1e3).toFixed(3) + ' ms' : (s * 1e6).toFixed(2) + ' µs',
    bytes: (b) => {
      if (b == null) return '–';
      const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
      let i = 0;
      while (Math.abs(b) >= 1024 && i < u.length - 1) { b /= 1024; i++; }
      return (i === 0 ? b.toFixed(0) : b.toFixed(2)) + ' ' + u[i];
    },
    sig: (v) => v == null ? '–' : Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(4)),
    int: (v) => v == null ? '–' : Math.round(v).toLocaleString('en-US'),
  };

  const pow2 = (x) => Math.round(Math.pow(2, x));
  const sliderToValue = (el) => pow2(parseFloat(el.value));
  const valueToSlider = (v) => Math.log2(Math.max(1, v));

  function query(params) {
    return Object.entries(params).filter(([, v]) => v !== '' && v != null).map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
  }

  async function api(command, params) {
    const res = await fetch('/api/' + command + '?' + query(params));
    const body = await res.json();
    if (!res.ok) {
      const err = new Error((body.errors || ['HTTP ' + res.status]).join('\n'));
      err.apiErrors = body.errors || [];
      throw err;
    }
    return body;
  }

  function cli(command, params) {
    const parts = ['xqsim', command];
    for (const [k, v] of Object.entries(params)) {
      // An uploaded model lives in the server's memory; on the command line it is the file itself.
      if (k === 'model' && /^upload-/.test(String(v))) { parts.push('--model', 'config.json'); continue; }
      if (v !== '' && v != null) parts.push('--' + k, /[\s,]/.test(String(v)) && /\s/.test(String(v)) ? JSON.stringify(String(v)) : String(v));
    }
    return parts.join(' ');
  }

  // ---- URL state ----
  function readUrl() {
    const p = new URLSearchParams(location.search);
    for (const k of ['model', 'hardware', 'weights', 'phase', 'focus', 'devices', 'spec']) if (p.has(k)) state[k] = p.get(k);
    if (p.has('tp')) state.tp = TP_CHOICES.includes(parseInt(p.get('tp'), 10)) ? parseInt(p.get('tp'), 10) : 1;
    if (p.has('batch')) state.batch = Math.max(1, parseInt(p.get('batch'), 10) || 1);
    if (p.has('context')) state.context = Math.max(1, parseInt(p.get('context'), 10) || 4096);
    if (p.has('schemes')) state.schemes = p.get('schemes').split(',').filter((s) => s);
  }

  function writeUrl() {
    const q = query({ model: state.model, hardware: state.hardware, tp: state.tp > 1 ? state.tp : '', weights: state.weights, phase: state.phase, batch: state.batch, context: state.context, schemes: state.schemes.join(','), focus: state.focus, devices: state.devices, spec: state.spec });
    history.replaceState(null, '', location.pathname + '?' + q);
  }

  // ---- controls ----
  function fillSelect(el, values, selected) {
    el.replaceChildren(...values.map((v) => { const o = document.createElement('option'); o.value = v; o.textContent = v; o.selected = v === selected; return o; }));
    if (!values.includes(selected)) el.value = values[0];
  }

  function fillModels(el, selected) {
    const group = (label, ids) => {
      const g = document.createElement('optgroup'); g.label = label;
      g.append(...ids.map((v) => { const o = document.createElement('option'); o.value = v; o.textContent = v; o.selected = v === selected; return o; }));
      return g;
    };
    el.replaceChildren(group('shipped', options.models), ...(options.uploaded_models.length ? [group('uploaded', options.uploaded_models)] : []));
    el.value = selected;
  }

  // POST /api/models: the server parses the file with the CLI's config.json rules and keeps it in memory.
  async function upload(file) {
    if (!file) return;
    if (file.size > 256 * 1024) { $('errors').textContent = file.name + ': larger than the 256 KiB an upload may be'; return; }
    const res = await fetch('/api/models', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: await file.text() });
    const body = await res.json();
    if (!res.ok) { $('errors').textContent = (body.errors || ['HTTP ' + res.status]).join('\n'); return; }
    if (!options.uploaded_models.includes(body.model)) options.uploaded_models.push(body.model);
    state.model = body.model;
    fillModels($('model'), state.model);
    $('status').textContent = file.name + ' → ' + body.model + ' (' + body.layers + ' layers, ' + body.attention + ')';
    update();
  }

  // Devices first, then node profiles (hardware-profiles/nodes/) in their own group.
  function fillHardware(el, selected) {
    const group = (label, ids) => {
      const g = document.createElement('optgroup'); g.label = label;
      g.append(...ids.map((v) => { const o = document.createElement('option'); o.value = v; o.textContent = v; o.selected = v === selected; return o; }));
      return g;
    };
    el.replaceChildren(group('devices', options.hardware), group('nodes', options.nodes || []));
    el.value = selected;
  }

  function buildSchemeBoxes() {
    const fs = $('schemes');
    fs.querySelectorAll('label').forEach((l) => l.remove());
    const all = [...new Set([...options.schemes, ...state.schemes])];
    all.forEach((s, i) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox'; box.value = s; box.id = 'scheme-' + i; box.checked = state.schemes.includes(s);
      label.htmlFor = box.id;
      label.append(box, ' ' + s);
      box.addEventListener('change', () => { state.schemes = [...fs.querySelectorAll('input:checked')].map((b) => b.value); syncFocus(); update(); });
      fs.append(label);
    });
  }

  function syncFocus() {
    if (!state.schemes.includes(state.focus)) state.focus = state.schemes.find((s) => s.startsWith('xquant')) || state.schemes[0] || '';
    fillSelect($('focus'), state.schemes, state.focus);
  }

  function showSliders() {
    $('batch').value = valueToSlider(state.batch);
    $('context').value = valueToSlider(state.context);
    $('batch-out').textContent = fmt.int(state.batch);
    $('context-out').textContent = fmt.int(state.context);
    $('batch').setAttribute('aria-valuetext', state.batch + ' sequences');
    $('context').setAttribute('aria-valuetext', state.context + ' tokens');
  }

  function bind() {
    for (const k of ['model', 'hardware', 'weights', 'phase', 'focus']) {
      $(k).addEventListener('change', () => { state[k] = $(k).value; update(); });
    }
    for (const k of ['batch', 'context']) {
      $(k).addEventListener('input', () => { state[k] = sliderToValue($(k)); showSliders(); update(false); });
      $(k).addEventListener('change', () => { state[k] = sliderToValue($(k)); showSliders(); update(true); });
    }
    $('model-file').addEventListener('change', () => upload($('model-file').files[0]).catch((e) => { $('errors').textContent = String(e.message || e); }));
    $('tp').addEventListener('change', () => { state.tp = parseInt($('tp').value, 10) || 1; update(); });
    $('sim-run').addEventListener('click', simulate);
    $('devices').addEventListener('change', () => { state.devices = $('devices').value.replace(/\s+/g, ''); update(); });
    $('spec').addEventListener('change', () => { state.spec = $('spec').value.replace(/\s+/g, ''); update(); });
    document.querySelectorAll('[data-csv]').forEach((b) => b.addEventListener('click', () => download(b.dataset.csv + '.csv', 'text/csv', toCsv(csv[b.dataset.csv]))));
    document.querySelectorAll('[data-svg]').forEach((b) => b.addEventListener('click', () => download(b.dataset.svg + '.svg', 'image/svg+xml', chartSvg(b.dataset.svg))));
    document.querySelectorAll('[data-png]').forEach((b) => b.addEventListener('click', () => {
      const a = document.createElement('a'); a.href = $(b.dataset.png).toDataURL('image/png'); a.download = b.dataset.png + '.png'; a.click();
    }));
  }

  function toCsv(t) {
    if (!t) return '';
    const cell = (v) => { const s = v == null ? '' : String(v); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
  }

  function download(name, type, text) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type }));
    a.download = name; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  function table(el, header, rows) {
    const thead = document.createElement('thead');
    const tr = document.createElement('tr');
    header.forEach((h) => { const th = document.createElement('th'); th.scope = 'col'; th.textContent = h; tr.append(th); });
    thead.append(tr);
    const tbody = document.createElement('tbody');
    rows.forEach((r) => {
      const row = document.createElement('tr');
      r.forEach((c) => { const td = document.createElement('td'); if (c && c.cls) { td.className = c.cls; td.textContent = c.text; } else td.textContent = c; row.append(td); });
      tbody.append(row);
    });
    el.replaceChildren(thead, tbody);
  }

  // ---- charts (canvas, log axes) ----
  // The same drawing code paints the canvas and, through SvgContext (the few Canvas 2D calls it uses), the SVG download.
  const specs = {};

  function SvgContext(W, H) {
    const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const out = [];
    let path = '', dash = null, clipId = 0, open = 0;
    const stack = [];
    const self = {
      fillStyle: '#000', strokeStyle: '#000', lineWidth: 1, font: '12px sans-serif', textAlign: 'left', tx: 0, ty: 0, rot: 0,
      clearRect() {}, beginPath() { path = ''; }, moveTo(x, y) { path += 'M' + x.toFixed(2) + ' ' + y.toFixed(2); }, lineTo(x, y) { path += 'L' + x.toFixed(2) + ' ' + y.toFixed(2); },
      rect(x, y, w, h) { path += 'M' + x + ' ' + y + 'h' + w + 'v' + h + 'h' + (-w) + 'Z'; },
      arc(x, y, r) { path += 'M' + (x - r).toFixed(2) + ' ' + y.toFixed(2) + 'a' + r + ' ' + r + ' 0 1 0 ' + (2 * r) + ' 0a' + r + ' ' + r + ' 0 1 0 ' + (-2 * r) + ' 0'; },
      setLineDash(d) { dash = d.length ? d.join(' ') : null; },
      stroke() { out.push('<path d="' + path + '" fill="none" stroke="' + self.strokeStyle + '" stroke-width="' + self.lineWidth + '"' + (dash ? ' stroke-dasharray="' + dash + '"' : '') + '/>'); },
      fill() { out.push('<path d="' + path + '" fill="' + self.fillStyle + '"/>'); },
      fillRect(x, y, w, h) { out.push('<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="' + self.fillStyle + '"/>'); },
      fillText(t, x, y) {
        const anchor = self.textAlign === 'center' ? 'middle' : self.textAlign === 'right' ? 'end' : 'start';
        const tr = self.tx || self.ty || self.rot ? ' transform="translate(' + self.tx + ' ' + self.ty + ') rotate(' + (self.rot * 180 / Math.PI) + ')"' : '';
        out.push('<text x="' + x + '" y="' + y + '" font-family="sans-serif" font-size="12" text-anchor="' + anchor + '" fill="' + self.fillStyle + '"' + tr + '>' + esc(t) + '</text>');
      },
      save() { stack.push({ tx: self.tx, ty: self.ty, rot: self.rot, open: 0 }); },
      restore() { const st = stack.pop(); self.tx = st.tx; self.ty = st.ty; self.rot = st.rot; for (let i = 0; i < st.open; i++) out.push('</g>'); },
      translate(x, y) { self.tx += x; self.ty += y; }, rotate(a) { self.rot += a; },
      clip() { clipId++; out.push('<clipPath id="c' + clipId + '"><path d="' + path + '"/></clipPath><g clip-path="url(#c' + clipId + ')">'); if (stack.length) stack[stack.length - 1].open++; else open++; },
      svg() { return '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '">' + out.join('') + '</g>'.repeat(open) + '</svg>\n'; },
    };
    return self;
  }

  function chartSvg(id) {
    const canvas = $(id);
    const svg = SvgContext(canvas.width, canvas.height);
    draw(svg, canvas.width, canvas.height, specs[id]);
    return svg.svg();
  }
  window.xqChartSvg = chartSvg;

  function chart(canvas, spec) {
    specs[canvas.id] = spec;
    draw(canvas.getContext('2d'), canvas.width, canvas.height, spec);
  }

  function draw(ctx, W, H, spec) {
    const L = 80, R = 150, T = 20, B = 50;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W, H);
    const pts = spec.series.flatMap((s) => s.points).filter((p) => p[0] > 0 && p[1] > 0 && isFinite(p[0]) && isFinite(p[1]));
    if (pts.length === 0) return;
    const lx = (v) => Math.log10(v);
    let [x0, x1] = spec.xRange || [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
    let [y0, y1] = spec.yRange || [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
    x0 = Math.floor(lx(x0)); x1 = Math.ceil(lx(x1)); if (x1 === x0) x1++;
    y0 = Math.floor(lx(y0)); y1 = Math.ceil(lx(y1)); if (y1 === y0) y1++;
    const X = (v) => L + (lx(v) - x0) / (x1 - x0) * (W - L - R);
    const Y = (v) => H - B - (lx(v) - y0) / (y1 - y0) * (H - T - B);
    ctx.strokeStyle = '#ddd'; ctx.fillStyle = '#444'; ctx.font = '12px sans-serif'; ctx.lineWidth = 1;
    for (let e = x0; e <= x1; e++) { const x = X(Math.pow(10, e)); ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, H - B); ctx.stroke(); ctx.textAlign = 'center'; ctx.fillText('1e' + e, x, H - B + 16); }
    for (let e = y0; e <= y1; e++) { const y = Y(Math.pow(10, e)); ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(W - R, y); ctx.stroke(); ctx.textAlign = 'right'; ctx.fillText('1e' + e, L - 6, y + 4); }
    ctx.textAlign = 'center'; ctx.fillText(spec.xLabel, (L + W - R) / 2, H - 12);
    ctx.save(); ctx.translate(16, (T + H - B) / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(spec.yLabel, 0, 0); ctx.restore();
    ctx.save(); ctx.beginPath(); ctx.rect(L, T, W - L - R, H - T - B); ctx.clip();
    for (const v of spec.vlines || []) {
      ctx.strokeStyle = v.color || '#888'; ctx.setLineDash([5, 4]); ctx.beginPath(); ctx.moveTo(X(v.x), T); ctx.lineTo(X(v.x), H - B); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = v.color || '#555'; ctx.textAlign = 'left'; ctx.fillText(v.label, X(v.x) + 4, T + 14 + (v.row || 0) * 14);
    }
    spec.series.forEach((s) => {
      ctx.strokeStyle = s.color; ctx.fillStyle = s.color; ctx.lineWidth = s.width || 2;
      const p = s.points.filter((q) => q[0] > 0 && q[1] > 0 && isFinite(q[0]) && isFinite(q[1]));
      if (s.line) { ctx.beginPath(); p.forEach((q, i) => i ? ctx.lineTo(X(q[0]), Y(q[1])) : ctx.moveTo(X(q[0]), Y(q[1]))); ctx.stroke(); }
      // Earlier series get larger rings so points that coincide across schemes stay visible.
      if (s.marker) p.forEach((q) => { ctx.beginPath(); ctx.arc(X(q[0]), Y(q[1]), s.radius || 3.5, 0, 2 * Math.PI); if (s.ring) ctx.stroke(); else ctx.fill(); });
    });
    ctx.restore();
    ctx.textAlign = 'left'; ctx.font = '12px sans-serif';
    spec.series.filter((s) => s.name).forEach((s, i) => { ctx.fillStyle = s.color; ctx.fillRect(W - R + 10, T + i * 18, 12, 10); ctx.fillStyle = '#222'; ctx.fillText(s.name, W - R + 26, T + 9 + i * 18); });
  }

  // ---- views ----
  function base() { return { model: state.model, hardware: state.hardware }; }
  // Tensor parallelism and speculative decoding go to ledger, breakeven and compare (the commands with --tp and
  // --spec); TP 1 and an empty spec are left out of URLs and CLI lines.
  function par() { return { ...(state.tp > 1 ? { tp: state.tp } : {}), ...(state.spec ? { spec: state.spec } : {}) }; }

  function renderStep(ledgers) {
    // Under speculative decoding the step is the verify step; the time per token adds the drafts and divides by E.
    const spec = ledgers.some((d) => d.case.speculation);
    const header = ['scheme', 'step_overlapped_sec', 'step_serial_sec', 'compute_sec', 'memory_sec', 'bound', 'tokens_per_sec', 'provenance', ...(spec ? ['per_token_overlapped_sec'] : [])];
    const rows = ledgers.map((d) => { const c = d.case, s = c.step; return [c.scheme, s.overlapped_sec, s.serial_sec, s.compute_sec, s.memory_sec, s.bound, c.tokens_per_sec_overlapped, c.provenance, ...(spec ? [c.speculation ? c.speculation.per_token_overlapped_sec : s.overlapped_sec] : [])]; });
    csv.step = { header, rows };
    table($('step-table'), ['scheme', spec ? 'verify step (overlapped)' : 'step (overlapped)', 'step (serial)', 'compute', 'memory', 'bound', 'tokens/s', 'roofs', ...(spec ? ['per token (spec)'] : [])],
      rows.map((r) => [r[0], fmt.sec(r[1]), fmt.sec(r[2]), fmt.sec(r[3]), fmt.sec(r[4]), { cls: 'bound-' + r[5], text: r[5] }, fmt.sig(r[6]), r[7], ...(spec ? [fmt.sec(r[8])] : [])]));
    // compare costs decode only; a prefill step is the ledger's (one command per scheme).
    $('cli-step').textContent = state.phase === 'decode'
      ? cli('compare', { ...base(), ...par(), schemes: state.schemes.join(','), context: state.context, batch: state.batch, weights: state.weights })
      : cli('ledger', { ...base(), ...par(), scheme: state.focus, context: state.context, batch: state.batch, weights: state.weights, phase: state.phase }) + '   (one per scheme)';
  }

  function renderMemory(ledgers) {
    const header = ['scheme', 'cache_bytes', 'normalized_size', 'weight_bytes', 'used_bytes', 'device_bytes', 'fits', 'max_batch_at_context', 'max_context_tokens_at_batch'];
    const rows = ledgers.map((d) => { const c = d.case, k = c.capacity; return [c.scheme, c.cache.total_bytes, c.normalized_size, k.weight_bytes, k.used_bytes, k.device_bytes, k.fits, k.max_batch_at_context, k.max_context_tokens_at_batch]; });
    csv.memory = { header, rows };
    table($('memory-table'), ['scheme', 'cache', 'normalized', 'weights', 'used', 'device', 'fits', 'max batch', 'max context'],
      rows.map((r) => [r[0], fmt.bytes(r[1]), r[2].toFixed(4), fmt.bytes(r[3]), fmt.bytes(r[4]), fmt.bytes(r[5]), r[6] ? 'yes' : 'NO', fmt.int(r[7]), fmt.int(r[8])]));
    $('cli-memory').textContent = cli('memory', { model: state.model, schemes: state.schemes.join(','), context: state.context, batch: state.batch });
  }

  function renderRoofline(ledgers) {
    const hw = ledgers[0].hardware;
    const bw = hw.dram_bandwidth_bytes_per_sec;
    const peak = hw.peak_flops_per_sec.bf16 || hw.peak_flops_per_sec.fp16 || Math.max(...Object.values(hw.peak_flops_per_sec));
    const header = ['scheme', 'op', 'intensity_flop_per_byte', 'attained_flops_per_sec', 'time_sec', 'bound'];
    const rows = [];
    const series = ledgers.map((d, i) => {
      const points = [];
      d.case.ops.forEach((o) => {
        if (o.flops > 0 && o.time_sec > 0 && o.intensity_flop_per_byte != null) {
          const attained = o.flops / o.time_sec;
          points.push([o.intensity_flop_per_byte, attained]);
          rows.push([d.case.scheme, o.op, o.intensity_flop_per_byte, attained, o.time_sec, o.bound]);
        }
      });
      return { name: d.case.scheme, color: COLORS[i % COLORS.length], points, marker: true, ring: true, radius: 3 + 2.5 * (ledgers.length - 1 - i) };
    });
    csv.roofline = { header, rows };
    const xs = [Math.min(1e-1, ...rows.map((r) => r[2])), Math.max(1e4, peak / bw * 10, ...rows.map((r) => r[2] * 2))];
    const roof = [];
    for (let e = Math.floor(Math.log10(xs[0])); e <= Math.ceil(Math.log10(xs[1])); e += 0.05) { const x = Math.pow(10, e); roof.push([x, Math.min(peak, bw * x)]); }
    series.unshift({ name: 'roof (bf16)', color: '#999', points: roof, line: true, width: 1.5 });
    chart($('roofline-chart'), { series, xLabel: 'arithmetic intensity (FLOP/byte)', yLabel: 'attained FLOP/s', xRange: xs, yRange: [Math.min(...rows.map((r) => r[3]), peak) / 10, peak * 2],
      vlines: [{ x: peak / bw, label: 'ridge ' + fmt.sig(peak / bw), color: '#999' }] });
    $('roofline-chart').setAttribute('aria-label', 'roofline of ' + hw.id + ': ' + rows.length + ' op points over ' + ledgers.length + ' schemes, ridge at ' + fmt.sig(peak / bw) + ' FLOP per byte');
    $('cli-roofline').textContent = cli('roofline', { ...base(), schemes: state.schemes.join(','), context: state.context, batch: state.batch, weights: state.weights, phase: state.phase }) + (state.tp > 1 ? '   (roofline has no --tp: the points above are ledger --tp ' + state.tp + ')' : '');
  }

  function renderLatency(cmp) {
    const all = [...cmp.cases, ...cmp.sweep_cases].filter((c) => c.batch === cmp.focus_batch);
    const header = ['scheme', 'context_tokens', 'step_overlapped_sec', 'bound'];
    const rows = [];
    const series = state.schemes.map((s, i) => {
      const pts = all.filter((c) => c.scheme === s).sort((a, b) => a.context_tokens - b.context_tokens);
      pts.forEach((c) => rows.push([s, c.context_tokens, c.step.overlapped_sec, c.step.bound]));
      return { name: s, color: COLORS[i % COLORS.length], points: pts.map((c) => [c.context_tokens, c.step.overlapped_sec]), line: true, marker: true };
    });
    const vlines = [];
    cmp.break_evens.filter((b) => b.batch === cmp.focus_batch).forEach((b) => b.context_crossovers.forEach((c) => {
      vlines.push({ x: c.at, label: b.scheme + ' = ' + b.versus + ' at ' + fmt.int(c.at), color: '#b50', row: vlines.length });
      rows.push(['crossover ' + b.scheme + ' vs ' + b.versus, c.at, '', c.scheme_faster_below ? 'faster below' : 'slower below']);
    }));
    vlines.push({ x: state.context, label: 'context ' + fmt.int(state.context), color: '#36c', row: vlines.length });
    csv.latency = { header, rows };
    chart($('latency-chart'), { series, xLabel: 'context (tokens), batch ' + cmp.focus_batch, yLabel: 'decode step time (s), overlapped', vlines });
    $('latency-chart').setAttribute('aria-label', 'decode step time versus context for ' + state.schemes.length + ' schemes; ' + (vlines.length - 1) + ' crossovers marked');
    $('cli-latency').textContent = cli('compare', { ...base(), ...par(), schemes: state.schemes.join(','), context: state.context, batch: state.batch, weights: state.weights }) + ' --json';
  }

  function renderLedger(ledgers) {
    const d = ledgers.find((x) => x.case.scheme === state.focus) || ledgers[0];
    const header = ['op', 'kind', 'dtype', 'flops', 'dram_bytes', 'onchip_bytes', 'compute_sec', 'memory_sec', 'time_sec', 'bound', 'intensity_flop_per_byte'];
    const rows = d.case.ops.map((o) => [o.op, o.kind, o.dtype, o.flops, o.dram_bytes, o.onchip_bytes, o.compute_sec, o.memory_sec, o.time_sec, o.bound, o.intensity_flop_per_byte]);
    csv.ledger = { header, rows };
    table($('ledger-table'), ['op (' + d.case.scheme + ')', 'kind', 'dtype', 'FLOPs', 'DRAM', 'on-chip', 'compute', 'memory', 'time', 'bound', 'FLOP/byte'],
      rows.map((r) => [r[0], r[1], r[2], fmt.sig(r[3]), fmt.bytes(r[4]), fmt.bytes(r[5]), fmt.sec(r[6]), fmt.sec(r[7]), fmt.sec(r[8]), { cls: 'bound-' + r[9], text: r[9] }, fmt.sig(r[10])]));
    $('cli-ledger').textContent = cli('ledger', { ...base(), ...par(), scheme: d.case.scheme, context: state.context, batch: state.batch, weights: state.weights, phase: state.phase });
  }

  function renderBreakEven(be) {
    const el = $('breakeven');
    if (!be) {
      el.textContent = 'Pick a rematerializing scheme (xquant…) for the ledger and break-even to see where remat pays.';
      csv.breakeven = { header: ['quantity', 'value'], rows: [] };
      $('cli-breakeven').textContent = '';
      return;
    }
    const h = be.hide, r = be.ridge;
    const rows = [
      ['hide_context_tokens_ledger', h.context_tokens_ledger],
      ['hide_context_tokens_closed_form', h.context_tokens_closed_form],
      ['weight_bytes_per_layer', h.weight_bytes_per_layer],
      ['remat_flops_per_token_per_layer', h.remat_flops_per_token_per_layer],
      ...be.context_crossovers.map((c) => ['context_crossover_tokens', c.at]),
      ...be.batch_crossovers.map((c) => ['batch_crossover', c.at]),
      ['scheme_step_sec', be.scheme_step_sec], ['versus_step_sec', be.versus_step_sec],
      ['ridge_needed_flop_per_byte', r.needed_flop_per_byte], ['device_ridge_flop_per_byte', r.device_flop_per_byte],
    ];
    csv.breakeven = { header: ['quantity', 'value'], rows };
    const hide = h.context_tokens_ledger == null ? '> ' + fmt.int(h.context_limit_tokens) + ' (never compute-bound)' : fmt.int(h.context_tokens_ledger);
    const cross = be.context_crossovers.length === 0 ? 'no crossover over context' : be.context_crossovers.map((c) => 'crossover at ' + fmt.int(c.at) + ' tokens (' + be.scheme + (c.scheme_faster_below ? ' faster below)' : ' slower below)')).join('; ');
    const lines = [
      ['Computed at', 'batch ' + fmt.int(be.batch) + ', context ' + fmt.int(be.context_tokens) + ' tokens, ' + be.hardware + ' (' + be.provenance + ' roofs); refreshed when a slider is released'],
      ['Remat hides under the weight and cache stream up to', hide + ' tokens (ledger); closed form ' + h.formula + ' = ' + fmt.int(h.context_tokens_closed_form)],
      [be.scheme + ' vs ' + be.versus + ' at batch ' + fmt.int(be.batch), cross + '; at ' + fmt.int(be.context_tokens) + ' tokens: ' + fmt.sec(be.scheme_step_sec) + ' vs ' + fmt.sec(be.versus_step_sec)],
      ['Ridge needed (' + r.formula + ')', fmt.sig(r.needed_flop_per_byte) + ' FLOP/byte; ' + be.hardware + ' has ' + fmt.sig(r.device_flop_per_byte) + ' → ' + (r.enough ? 'enough' : 'short')],
    ];
    const dl = document.createElement('dl');
    lines.forEach(([k, v]) => { const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; dl.append(dt, dd); });
    el.replaceChildren(dl);
    $('cli-breakeven').textContent = cli('breakeven', { ...base(), ...par(), scheme: be.scheme, context: state.context, batch: state.batch, weights: state.weights });
  }

  function renderDevices(cmp) {
    const header = ['hardware', 'provenance', 'scheme', 'step_overlapped_sec', 'bound', 'tokens_per_sec', 'fits', 'max_batch_at_context'];
    const rows = cmp.cases.map((c) => [c.hardware, c.provenance, c.scheme, c.step.overlapped_sec, c.step.bound, c.tokens_per_sec_overlapped, c.capacity.fits, c.capacity.max_batch_at_context]);
    csv.devices = { header, rows };
    table($('devices-table'), ['device', 'roofs', 'scheme', 'step', 'bound', 'tokens/s', 'fits', 'max batch'],
      rows.map((r) => [r[0], r[1], r[2], fmt.sec(r[3]), { cls: 'bound-' + r[4], text: r[4] }, fmt.sig(r[5]), r[6] ? 'yes' : 'NO', fmt.int(r[7])]));
    $('cli-devices').textContent = cli('compare', { model: state.model, hardware: devices(), schemes: state.schemes.join(','), context: state.context, batch: state.batch, weights: state.weights });
  }

  function devices() { return state.devices || [state.hardware, ...options.hardware.filter((h) => h !== state.hardware && /^(h100-sxm|mi300x|b200|gaudi3|tpu-v5p)$/.test(h))].slice(0, 6).join(','); }

  // ---- update ----
  // A slider drag (input events) refetches what depends on the point itself: the ledgers (step time, memory, roofline,
  // ledger); the latency chart moves its marker over the sweep it has. Releasing the slider or any other control
  // refetches everything: the sweeps, the break-even (its bisections and crossover scans cost 5x a ledger) and the
  // device comparison. The break-even view names the context it was computed at, so it is never silently stale. One round at a time; a change that
  // arrives meanwhile runs once the round ends, with the newest state.
  let running = false;
  let queued = null;

  function update(full = true) {
    if (running) { queued = queued === true || full; return; }
    running = true;
    round(full).finally(() => {
      running = false;
      if (queued !== null) { const f = queued; queued = null; update(f); }
    });
  }

  async function round(full) {
    const t0 = performance.now();
    writeUrl();
    if (state.schemes.length === 0) { $('errors').textContent = 'select at least one scheme'; return; }
    const common = { ...base(), ...par(), context: state.context, batch: state.batch, weights: state.weights };
    const focusIsRemat = /^xquant/.test(state.focus);
    try {
      const [ledgers, be, cmp, dev] = await Promise.all([
        // One request for every scheme's ledger: computed in turn on the server, not N requests contending for the cores.
        api('ledgers', { ...common, schemes: state.schemes.join(','), phase: state.phase }).then((d) => d.documents),
        !focusIsRemat ? Promise.resolve(null) : full || !data.be ? api('breakeven', { ...common, scheme: state.focus }) : Promise.resolve(data.be),
        full || !data.cmp ? api('compare', { ...common, schemes: state.schemes.join(',') }) : Promise.resolve(data.cmp),
        full || !data.dev ? api('compare', { ...common, hardware: devices(), tp: '', schemes: state.schemes.join(',') }) : Promise.resolve(data.dev),
      ]);
      window.xqLastFetchMs = performance.now() - t0;
      Object.assign(data, { ledgers, cmp, be, dev });
      renderStep(ledgers); renderMemory(ledgers); renderRoofline(ledgers); renderLatency(cmp); renderLedger(ledgers); renderBreakEven(be);
      if (full) renderDevices(dev);
      $('errors').textContent = '';
      const ms = performance.now() - t0;
      window.xqLastUpdateMs = ms;
      window.xqLastUpdateFull = full;
      $('status').textContent = (full ? 'all views' : 'point views') + ' updated in ' + ms.toFixed(0) + ' ms';
    } catch (e) {
      $('errors').textContent = e.apiErrors ? e.apiErrors.join('\n') : String(e.message || e);
    } finally {
      window.xqUpdates = (window.xqUpdates || 0) + 1;
    }
  }

  async function simulate() {
    const params = { ...base(), ...par(), schemes: state.schemes.join(','), weights: state.weights, rate: $('sim-rate').value.replace(/\s+/g, ''), requests: $('sim-requests').value, slo: $('sim-slo').value.replace(/\s+/g, '') };
    $('cli-serving').textContent = cli('simulate', params);
    $('status').textContent = 'simulating…';
    const t0 = performance.now();
    try {
      const doc = await api('simulate', params);
      const header = ['scheme', 'arrivals', 'output_tokens_per_sec', 'ttft_p90_sec', 'tpot_p50_sec', 'tpot_p90_sec', 'goodput_req_per_sec', 'pool_tokens'];
      const rows = doc.schemes.flatMap((s) => s.runs.map((r) => [s.scheme, r.arrivals, r.summary.output_tokens_per_sec, r.summary.ttft_sec.p90, r.summary.tpot_sec.p50, r.summary.tpot_sec.p90, r.summary.goodput_req_per_sec, s.pool.pool_tokens]));
      csv.serving = { header, rows };
      table($('serving-table'), ['scheme', 'arrivals', 'output tok/s', 'TTFT p90', 'TPOT p50', 'TPOT p90', 'goodput req/s', 'pool tokens'],
        rows.map((r) => [r[0], r[1], fmt.sig(r[2]), fmt.sec(r[3]), fmt.sec(r[4]), fmt.sec(r[5]), fmt.sig(r[6]), fmt.int(r[7])]));
      $('errors').textContent = '';
      $('status').textContent = 'simulated in ' + (performance.now() - t0).toFixed(0) + ' ms';
    } catch (e) {
      $('errors').textContent = e.apiErrors ? e.apiErrors.join('\n') : String(e.message || e);
    }
  }

  async function init() {
    options = await api('options', {});
    readUrl();
    state.model = options.models.includes(state.model) || options.uploaded_models.includes(state.model) ? state.model : (options.models.includes('llama-2-7b') ? 'llama-2-7b' : options.models[0]);
    state.hardware = options.hardware.includes(state.hardware) || (options.nodes || []).includes(state.hardware) ? state.hardware : (options.hardware.includes('h100-sxm') ? 'h100-sxm' : options.hardware[0]);
    if (state.schemes.length === 0) state.schemes = options.compare_schemes.slice();
    fillModels($('model'), state.model);
    fillHardware($('hardware'), state.hardware);
    fillSelect($('tp'), TP_CHOICES.map(String), String(state.tp));
    fillSelect($('weights'), options.weights, state.weights);
    fillSelect($('phase'), options.phases, state.phase);
    state.weights = $('weights').value; state.phase = $('phase').value;
    $('devices').value = state.devices;
    $('spec').value = state.spec;
    buildSchemeBoxes();
    syncFocus();
    showSliders();
    bind();
    await round(true);
    document.body.dataset.ready = 'true';
  }

  init().catch((e) => { $('errors').textContent = 'could not start: ' + (e.message || e); });
})();
