// The playground page: reads the controls, drives one server-side session, draws what it returns.
// Training happens in chainrule on the server; this file only sends settings and paints results.
"use strict";

const CLASS_RGB = [[232, 135, 30], [47, 111, 178], [89, 161, 79], [225, 87, 89], [176, 122, 161]];
const NUMBER_FIELDS = ["noise", "n_samples", "test_fraction", "seed", "dropout", "l2", "lr", "batch_size"];
const CHOICE_FIELDS = ["dataset", "activation", "loss", "optimizer"];

const $ = (id) => document.getElementById(id);
let sessionId = null;
let points = null;
let playing = false;
let busy = false;

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: body ? {"Content-Type": "application/json"} : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error || `HTTP ${response.status}`);
  return payload;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function readSettings() {
  const settings = {};
  for (const name of CHOICE_FIELDS) settings[name] = $(name).value;
  for (const name of NUMBER_FIELDS) {
    const text = $(name).value.trim();
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) throw new Error(`${name} must be a number, got "${text}".`);
    settings[name] = value;                   // the server checks ranges and whole numbers
  }
  const hidden = $("hidden").value.trim();
  settings.hidden = hidden === "" ? [] : hidden.split(",").map((part) => {
    const units = Number(part.trim());
    if (!Number.isInteger(units)) throw new Error(`hidden layers must be whole numbers separated by commas, e.g. 8,8; got "${hidden}".`);
    return units;
  });
  return settings;
}

async function newSession() {
  setPlaying(false);
  try {
    const payload = await api("POST", "/api/sessions", {settings: readSettings()});
    sessionId = payload.id;
    $("download").href = `/api/sessions/${sessionId}/model.npz`;
    showError(null);
    render(payload.state);
  } catch (error) {
    showError(error.message);
  }
}

async function step() {
  if (!sessionId || busy) return;
  busy = true;
  try {
    render((await api("POST", `/api/sessions/${sessionId}/step`, {epochs: 1})).state);
    showError(null);
  } catch (error) {
    showError(error.message);
    setPlaying(false);
  } finally {
    busy = false;
  }
}

async function loop() {
  while (playing) {
    await step();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

function setPlaying(on) {
  playing = on;
  $("play").textContent = on ? "Pause" : "Play";
  $("play").classList.toggle("playing", on);
  if (on) loop();
}

async function showCode() {
  if (!sessionId) return;
  const response = await fetch(`/api/sessions/${sessionId}/code`);
  $("code").textContent = await response.text();
}

function fmt(value, digits) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

function last(list) {
  return list && list.length ? list[list.length - 1] : null;
}

function render(state) {
  if (state.points) points = state.points;
  const h = state.history;
  $("epoch").textContent = state.epoch;
  $("train-loss").textContent = fmt(last(h.loss), 4);
  $("test-loss").textContent = fmt(last(h.val_loss), 4);
  $("train-acc").textContent = fmt(last(h.accuracy), 3);
  $("test-acc").textContent = fmt(last(h.val_accuracy), 3);
  if (state.boundary) drawBoundary(state.boundary);
  drawCurves(h.loss, h.val_loss);
  if (state.layers) drawLayers(state.layers);
  drawHints(state.hints);
  $("status").textContent = state.diverged ? `Training stopped: ${state.diverged} Press Reset to start again.` : "";
  if (state.diverged) setPlaying(false);
  if (!$("code-panel").hidden) showCode();     // the shown program always matches the run so far
}

function drawBoundary(b) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const cells = document.createElement("canvas");
  cells.width = b.n;
  cells.height = b.n;
  const cellCtx = cells.getContext("2d");
  const image = cellCtx.createImageData(b.n, b.n);
  for (let row = 0; row < b.n; row++) {
    for (let col = 0; col < b.n; col++) {
      const k = row * b.n + col;                       // grid rows run from the bottom (smallest x2) up
      const rgb = CLASS_RGB[b.labels[k] % CLASS_RGB.length];
      const strength = 0.25 + 0.6 * Math.max(0, (b.confidence[k] - 0.5) / 0.5);
      const p = ((b.n - 1 - row) * b.n + col) * 4;
      for (let c = 0; c < 3; c++) image.data[p + c] = Math.round(255 + (rgb[c] - 255) * strength);
      image.data[p + 3] = 255;
    }
  }
  cellCtx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
  if (!points) return;
  const toX = (x) => ((x - b.x[0]) / (b.x[1] - b.x[0])) * canvas.width;
  const toY = (y) => canvas.height - ((y - b.y[0]) / (b.y[1] - b.y[0])) * canvas.height;
  for (const [set, ring] of [[points.train, false], [points.test, true]]) {
    for (const [x, y, label] of set) {
      const rgb = CLASS_RGB[label % CLASS_RGB.length];
      ctx.beginPath();
      ctx.arc(toX(x), toY(y), ring ? 4.5 : 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = ring ? "#ffffff" : `rgb(${rgb.join(",")})`;
      ctx.strokeStyle = ring ? `rgb(${rgb.join(",")})` : "#ffffff";
      ctx.lineWidth = ring ? 2 : 1;
      ctx.fill();
      ctx.stroke();
    }
  }
}

function drawCurves(train, test) {
  const canvas = $("curves");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const values = train.concat(test).filter((v) => v !== null && Number.isFinite(v));
  if (!values.length) return;
  const top = Math.max(...values) * 1.05 || 1;
  const n = Math.max(train.length, 2);
  const pad = 6;
  for (const [series, colour, dash] of [[train, "#2f6fb2", []], [test, "#e8871e", [5, 3]]]) {
    ctx.beginPath();
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    series.forEach((v, i) => {
      if (v === null) return;
      const x = pad + (i / (n - 1)) * (canvas.width - 2 * pad);
      const y = canvas.height - pad - (Math.min(v, top) / top) * (canvas.height - 2 * pad);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.fillStyle = "#616e7c";
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(`loss ${top.toPrecision(3)}`, pad, 12);
  ctx.textAlign = "right";
  ctx.fillText(`epoch ${train.length}`, canvas.width - pad, canvas.height - pad - 2);
  ctx.textAlign = "left";
}

function drawLayers(layers) {
  const body = $("layers").querySelector("tbody");
  body.replaceChildren();
  for (const layer of layers) {
    const row = document.createElement("tr");
    const cells = layer.kind
      ? [layer.layer, "", "", `${(100 * layer.fraction).toFixed(0)}% ${layer.kind}`]
      : [layer.layer, fmt(layer.grad_norm, 4), fmt(layer.weight_norm, 3), ""];
    cells.forEach((text, i) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      if (i === 3 && layer.kind && layer.fraction > 0.5) cell.className = "stuck-high";
      row.appendChild(cell);
    });
    body.appendChild(row);
  }
}

function drawHints(hints) {
  const list = $("hints");
  list.replaceChildren();
  if (!hints.length) {
    const item = document.createElement("li");
    item.className = "none";
    item.textContent = "none: the run looks healthy";
    list.appendChild(item);
    return;
  }
  for (const hint of hints) {
    const item = document.createElement("li");
    item.className = "hint";
    item.dataset.code = hint.code;
    item.textContent = hint.message;
    list.appendChild(item);
  }
}

async function init() {
  try {
    const info = await api("GET", "/api/limits");
    const choices = {dataset: info.datasets, activation: info.activations, loss: info.losses, optimizer: info.optimizers};
    for (const [name, options] of Object.entries(choices)) {
      const select = $(name);
      for (const option of options) select.add(new Option(option, option));
      select.value = info.defaults[name];
    }
  } catch (error) {
    showError(error.message);
    return;
  }
  for (const id of ["dataset", "noise", "n_samples", "test_fraction", "seed", "hidden", "activation", "loss",
                    "dropout", "l2", "optimizer", "batch_size"]) {
    $(id).addEventListener("change", newSession);
  }
  $("lr").addEventListener("change", async () => {
    if (!sessionId) return;
    try {
      render((await api("POST", `/api/sessions/${sessionId}/lr`, {lr: Number($("lr").value)})).state);
      showError(null);
    } catch (error) {
      showError(error.message);
    }
  });
  $("play").addEventListener("click", () => setPlaying(!playing));
  $("step").addEventListener("click", step);
  $("reset").addEventListener("click", async () => {
    if (!sessionId) return;
    setPlaying(false);
    try {
      const state = (await api("POST", `/api/sessions/${sessionId}/reset`)).state;
      $("lr").value = state.lr;                // the run restarts with the lr it was created with
      render(state);
      showError(null);
    } catch (error) {
      showError(error.message);
    }
  });
  $("show-code").addEventListener("click", async () => {
    await showCode();
    $("code-panel").hidden = false;
    $("code-panel").scrollIntoView({behavior: "smooth"});
  });
  await newSession();
}

init();
