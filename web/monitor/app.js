// The live monitor page: microphone → AudioWorklet → WebSocket → events → meters, bars, timeline,
// alerts, export. Bundled with uPlot by scripts/build-monitor-web.mjs (nothing is fetched from a CDN).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './monitor.css';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const token = params.get('token');
const FRAME_SEC = 0.05; // 50 ms frames (the server accepts 5–250 ms)
const TIMELINE_SEC = 90;

/** Everything the session produced, for export and for tests (window.__affexion). */
// received[i]: seconds of audio sent when events[i] arrived (how far the speaker had got; tests compare it with t1).
const state = {
  info: null,
  events: [],
  received: [],
  sentSeconds: 0,
  hello: null,
  ws: null,
  ctx: null,
  stream: null,
  node: null,
  running: false,
  requests: [],
};
window.__affexion = state;

function setStatus(s) {
  $('status').textContent = s;
}
function micError(msg) {
  $('mic-error').hidden = false;
  $('mic-error').textContent = msg;
  setStatus('no microphone');
}

async function loadInfo() {
  const r = await fetch('api/info', { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`server said ${r.status}: ${await r.text()}`);
  state.info = await r.json();
  const i = state.info;
  $('model-line').textContent = `Model ${i.model} · signals: ${i.classes.join(', ')} · window ${i.window} s every ${i.hop} s`;
  $('reaction').textContent =
    `Reaction time: each result describes the last ${i.window} s of speech, updated every ${i.hop} s, ` +
    `so a change shows after up to ${i.window} s (the window length bounds the reaction time), and the smoothing adds a little more.`;
  buildBars(i.classes);
  buildSliders(i.classes);
  buildTimeline(i.classes);
}

// ---- bars and sliders ------------------------------------------------------------------------
const thresholds = {};
function buildBars(classes) {
  $('bars').innerHTML = '';
  for (const c of classes) {
    const row = document.createElement('div');
    row.className = 'bar';
    row.innerHTML = `<span></span><div class="track"><div class="fill" style="width:0%"></div><div class="mark" hidden></div></div><span class="v">–</span>`;
    row.firstChild.textContent = c;
    row.dataset.label = c;
    $('bars').append(row);
  }
}
function updateBars(smoothed) {
  for (const row of $('bars').children) {
    const c = row.dataset.label;
    const v = smoothed ? smoothed[c] : 0;
    row.querySelector('.fill').style.width = `${(100 * v).toFixed(1)}%`;
    row.querySelector('.v').textContent = smoothed ? v.toFixed(2) : '–';
    const t = thresholds[c];
    const mark = row.querySelector('.mark');
    mark.hidden = !t;
    if (t) mark.style.left = `${100 * t.enter}%`;
  }
}
function buildSliders(classes) {
  $('sliders').innerHTML = '';
  for (const c of classes) {
    const d = document.createElement('div');
    d.className = 'slider';
    d.innerHTML = `<label></label><input type="range" min="0.3" max="0.95" step="0.05" value="0.6"> <span></span>`;
    d.querySelector('label').textContent = c;
    const input = d.querySelector('input');
    input.dataset.label = c;
    input.addEventListener('change', () => {
      const enter = Number(input.value);
      const leave = Math.max(0, +(enter - 0.2).toFixed(2));
      d.querySelector('span').textContent = `enter ${enter.toFixed(2)} / leave ${leave.toFixed(2)}`;
      send({ type: 'threshold', label: c, enter, leave });
    });
    $('sliders').append(d);
  }
}
function showThresholds(t) {
  for (const k of Object.keys(thresholds)) delete thresholds[k];
  Object.assign(thresholds, t);
  for (const input of $('sliders').querySelectorAll('input')) {
    const th = t[input.dataset.label];
    const span = input.parentElement.querySelector('span');
    input.disabled = !th;
    if (th) {
      input.value = String(th.enter);
      span.textContent = `enter ${th.enter.toFixed(2)} / leave ${th.leave.toFixed(2)}`;
    } else span.textContent = 'no alerts';
  }
}

// ---- timeline (uPlot) ------------------------------------------------------------------------
const COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2'];
let plot = null;
let series = null; // [t[], per class values[]]
const speechSpans = []; // [t0, t1|null]
function buildTimeline(classes) {
  series = [[], ...classes.map(() => [])];
  const opts = {
    width: Math.min(960, document.body.clientWidth - 32),
    height: 220,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'seconds' }, { label: 'smoothed probability' }],
    series: [{ label: 't' }, ...classes.map((c, i) => ({ label: c, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false }))],
    hooks: {
      drawClear: [
        (u) => {
          // Speech shading under the lines.
          const { ctx } = u;
          ctx.save();
          ctx.fillStyle = 'rgba(0,0,0,0.07)';
          const now = state.lastT ?? 0;
          for (const [a, b] of speechSpans) {
            const x0 = u.valToPos(a, 'x', true),
              x1 = u.valToPos(b ?? now, 'x', true);
            if (x1 > x0) ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };
  $('timeline').innerHTML = '';
  plot = new uPlot(opts, series, $('timeline'));
}
function addTimelinePoint(e) {
  state.lastT = e.t1;
  series[0].push(e.t1);
  state.info.classes.forEach((c, i) => series[i + 1].push(e.smoothed ? e.smoothed[c] : null));
  while (series[0].length && series[0][0] < e.t1 - TIMELINE_SEC) for (const s of series) s.shift();
  plot.setData(series);
  state.timelinePoints = (state.timelinePoints ?? 0) + 1;
}

// ---- events ----------------------------------------------------------------------------------
function onEvent(e) {
  if (e.type !== 'hello') {
    state.events.push(e);
    state.received.push(state.sentSeconds);
  }
  switch (e.type) {
    case 'hello':
      state.hello = e;
      showThresholds(e.thresholds);
      if (e.enrolSeconds > 0) {
        $('enrolment').hidden = false;
        $('enrol-need').textContent = String(e.enrolSeconds);
        $('enrol-progress').max = e.enrolSeconds;
      }
      setStatus('listening');
      break;
    case 'thresholds':
      showThresholds(e.thresholds);
      break;
    case 'enrolling':
      $('enrolment').hidden = false;
      $('enrol-status').textContent = 'waiting for speech…';
      $('enrol-progress').value = 0;
      $('skip-enrol').hidden = false;
      $('redo-enrol').hidden = true;
      break;
    case 'enrolled':
      $('enrol-status').textContent = e.skipped
        ? e.fallback
          ? 'skipped: your voice is compared with your own speech so far instead of a calm reference (less reliable)'
          : 'skipped: no reference'
        : `enrolled (${e.speechSeconds.toFixed(1)} s of speech)`;
      $('enrol-progress').value = e.skipped ? 0 : $('enrol-progress').max;
      $('skip-enrol').hidden = true;
      $('redo-enrol').hidden = false;
      document.body.dataset.enrolled = e.skipped ? 'skipped' : 'yes';
      break;
    case 'speech':
      $('speech-dot').classList.toggle('on', e.speech);
      $('speech-text').textContent = e.speech ? 'speech' : 'no speech';
      if (e.speech) speechSpans.push([e.t, null]);
      else if (speechSpans.length && speechSpans[speechSpans.length - 1][1] === null) speechSpans[speechSpans.length - 1][1] = e.t;
      break;
    case 'window':
      if (e.enrolling) $('enrol-progress').value = e.enrolledSeconds ?? 0;
      if (e.enrolling) $('enrol-status').textContent = `${(e.enrolledSeconds ?? 0).toFixed(1)} s of speech so far…`;
      $('label').textContent = e.smoothedLabel ?? (e.speech ? '…' : '–');
      updateBars(e.smoothed);
      $('lag').textContent = `${Math.round(e.lag * 1000)} ms`;
      $('dropped').textContent = String(e.dropped);
      addTimelinePoint(e);
      break;
    case 'alert': {
      const li = document.createElement('li');
      li.className = e.state;
      li.textContent = `${e.t.toFixed(1)} s — ${e.label} ${e.state === 'enter' ? 'ALERT' : 'back below'} (${e.level.toFixed(2)})`;
      $('alerts').prepend(li);
      break;
    }
    case 'summary':
      setStatus(`stopped: ${e.duration.toFixed(1)} s, ${e.classified} windows, ${e.dropped} skipped, ${e.alerts} alerts`);
      break;
    case 'report':
      $('report-link').href = e.url + (token ? `?token=${encodeURIComponent(token)}` : '');
      $('report-link').hidden = false;
      break;
    case 'error':
      setStatus(`closed by the server: ${e.message}`);
      break;
  }
  $('export-json').disabled = $('export-csv').disabled = state.events.length === 0;
}

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

// ---- capture ---------------------------------------------------------------------------------
async function start() {
  if (state.running) return;
  $('mic-error').hidden = true;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    micError('This browser gives no microphone access here (open the page on http://127.0.0.1 or over HTTPS).');
    return;
  }
  let stream;
  try {
    // Browser voice processing off: it would change the very voice qualities the model listens to.
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
  } catch (err) {
    const name = err && err.name;
    micError(
      name === 'NotAllowedError' || name === 'SecurityError'
        ? 'Microphone permission denied: allow the microphone for this page and press Start again.'
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? 'No microphone found: connect one and press Start again.'
          : `The microphone could not be opened (${name || err}).`,
    );
    return;
  }
  const ctx = new AudioContext(); // the device's rate; the server resamples with the training resampler
  await ctx.audioWorklet.addModule('capture-worklet.js');
  const src = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, 'affexion-capture', {
    processorOptions: { frameSamples: Math.round(ctx.sampleRate * FRAME_SEC) },
  });
  const sink = ctx.createGain();
  sink.gain.value = 0;
  src.connect(node).connect(sink).connect(ctx.destination);
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  );
  ws.binaryType = 'arraybuffer';
  Object.assign(state, { ws, ctx, stream, node, running: true });
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: 'start', sampleRate: ctx.sampleRate, enrol: true }));
    node.port.onmessage = (m) => {
      const x = m.data;
      let ss = 0;
      for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
      const db = 10 * Math.log10(Math.max(ss / x.length, 1e-12));
      $('level').style.width = `${Math.max(0, Math.min(100, (db + 70) * (100 / 70))).toFixed(0)}%`;
      $('level-db').textContent = `${db.toFixed(0)} dB`;
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(x.buffer);
        state.sentSeconds += x.length / ctx.sampleRate;
      }
    };
  };
  ws.onmessage = (m) => onEvent(JSON.parse(m.data));
  ws.onclose = (c) => {
    stopCapture();
    if (c.code !== 1000) setStatus(`disconnected: ${c.reason || c.code}`);
  };
  $('start').disabled = true;
  $('stop').disabled = false;
  setStatus('connecting…');
}

function stopCapture() {
  state.running = false;
  if (state.node) state.node.port.onmessage = null;
  if (state.stream) for (const t of state.stream.getTracks()) t.stop();
  if (state.ctx) state.ctx.close();
  state.stream = state.ctx = state.node = null;
  $('start').disabled = false;
  $('stop').disabled = true;
}

function stop() {
  if (state.node) state.node.port.onmessage = null;
  send({ type: 'stop' });
  setStatus('stopping…');
}

// ---- export ----------------------------------------------------------------------------------
function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}
function exportJson() {
  download(
    'affexion-session.json',
    'application/json',
    JSON.stringify({ info: state.info, hello: state.hello, events: state.events }, null, 1),
  );
}
function exportCsv() {
  const cls = state.info.classes;
  const rows = [
    [
      't0',
      't1',
      'speech',
      'label',
      'smoothed_label',
      'lag_s',
      'skipped',
      ...cls.map((c) => `p_${c}`),
      ...cls.map((c) => `smoothed_${c}`),
    ].join(','),
  ];
  for (const e of state.events) {
    if (e.type !== 'window') continue;
    rows.push(
      [
        e.t0,
        e.t1,
        e.speech,
        e.label ?? '',
        e.smoothedLabel ?? '',
        e.lag.toFixed(4),
        Boolean(e.skipped),
        ...cls.map((c) => (e.probs ? e.probs[c] : '')),
        ...cls.map((c) => (e.smoothed ? e.smoothed[c] : '')),
      ].join(','),
    );
  }
  download('affexion-session.csv', 'text/csv', rows.join('\n') + '\n');
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
$('skip-enrol').addEventListener('click', () => send({ type: 'skip-enrolment' }));
$('redo-enrol').addEventListener('click', () => send({ type: 'redo-enrolment' }));
$('export-json').addEventListener('click', exportJson);
$('export-csv').addEventListener('click', exportCsv);

loadInfo()
  .then(() => {
    document.body.dataset.ready = 'yes';
    if (params.get('autostart') === '1') start();
  })
  .catch((err) => setStatus(`could not reach the server: ${err.message}`));
