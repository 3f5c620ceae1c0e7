// One plotly.js plot per chart, updated in place with Plotly.react on every redraw.
// Streamlit keeps the component's element while its key stays the same, so the plot is never
// unmounted and never blank between two redraws.

// A mode bar on hover with what a slide needs: PNG (at twice the size, sharp on a projector),
// SVG, and full screen. Files are named after the chart and its run (data.filename).
const SVG_ICON = {
  width: 1000,
  height: 1000,
  path: "M150 100h500l200 200v600h-700z M620 130v200h200 M260 560h480v80h-480z M260 700h480v80h-480z",
};

function config(plot, Plotly) {
  const download = (format, scale) => ({
    name: `Download ${format.toUpperCase()}`,
    title: `Download this chart as ${format.toUpperCase()}`,
    icon: format === "png" ? Plotly.Icons.camera : SVG_ICON,
    click: (gd) => Plotly.downloadImage(gd, { format, scale, filename: plot.bpFilename }),
  });
  const fullScreen = {
    name: "Full screen",
    title: "Show this chart full screen (F; Esc leaves)",
    icon: Plotly.Icons.autoscale,
    click: () => plot.requestFullscreen().catch(() => {}),
  };
  return {
    displaylogo: false,
    responsive: false,
    displayModeBar: "hover",
    modeBarButtons: [[download("png", 2), download("svg", 1), fullScreen]],
  };
}
let plotly = null; // one load of plotly.js per browser tab, shared by every chart

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () =>
        window.Plotly ? resolve(window.Plotly) : reject(new Error(`${src} defined no Plotly`));
      script.onerror = () => reject(new Error(`${src} could not be loaded`));
      document.head.appendChild(script);
    }).catch((err) => {
      plotly = null; // the next redraw tries again
      throw err;
    });
  }
  return plotly;
}

function parts(root) {
  let plot = root.querySelector(".bp-plot");
  if (!plot) {
    plot = document.createElement("div");
    plot.className = "bp-plot";
    const note = document.createElement("div");
    note.className = "bp-chart-error";
    note.hidden = true;
    root.append(plot, note);
  }
  return { plot, note: root.querySelector(".bp-chart-error") };
}

function showError(root, text) {
  const { plot, note } = parts(root);
  plot.hidden = true;
  note.hidden = false;
  note.textContent = `Chart unavailable: ${text}`; // text, never markup
}

// A redraw during a drag would cancel the user's zoom box or pan, so while a button is held on
// the plot the newest figure waits and is drawn on release. A release outside the window is
// noticed at the next pointer move or when the window loses focus.
const RELEASES = ["pointerup", "pointercancel", "pointermove", "blur"];

function holdWhilePressed(plot, Plotly) {
  const release = (event) => {
    if (event.type === "pointermove" && event.buttons) return;
    for (const type of RELEASES) window.removeEventListener(type, release, true);
    plot.bpHeld = false;
    if (plot.bpWaiting) schedule(plot, Plotly);
  };
  plot.addEventListener(
    "pointerdown",
    () => {
      plot.bpHeld = true;
      for (const type of RELEASES) window.addEventListener(type, release, true);
    },
    true,
  );
}

// The user's zoom or pan, per axis, carried into every redraw until the figure's uirevision
// changes (a new network): plotly's own uirevision bookkeeping lost it now and then when
// redraws came fast. A double-click (autorange) forgets it.
const AXIS_CHANGE = /^([xy]axis\d*)\.(range|range\[([01])\]|autorange)$/;

function followView(plot) {
  plot.on("plotly_relayout", (change) => {
    for (const [key, value] of Object.entries(change)) {
      const match = AXIS_CHANGE.exec(key);
      if (!match) continue;
      const [, axis, what, end] = match;
      if (what === "autorange") delete plot.bpView[axis];
      else if (end === undefined) plot.bpView[axis] = [...value];
      else (plot.bpView[axis] ??= [...plot._fullLayout[axis].range])[Number(end)] = value;
    }
  });
}

function withView(plot, layout) {
  if (plot.bpRevision !== layout.uirevision) {
    plot.bpRevision = layout.uirevision;
    plot.bpView = {};
  }
  const kept = { ...layout };
  for (const [axis, range] of Object.entries(plot.bpView)) {
    kept[axis] = { ...layout[axis], range: [...range], autorange: false };
  }
  return kept;
}

// A click on a point (a neuron, a heatmap cell) picks it, on a chart that asks for clicks:
// its trace, its index ([row, column] in a heatmap) and its customdata.
function followClicks(plot) {
  plot.on("plotly_click", (event) => {
    const point = event.points?.[0];
    if (!point || !plot.bpSend) return;
    const index = Array.isArray(point.pointNumber) ? point.pointNumber : [point.pointNumber];
    const picked = { trace: point.curveNumber, index, customdata: point.customdata ?? null };
    plot.bpSend("click", { ...picked, press: `${Date.now()}` });
  });
}

// Full screen (the F key): the plot fills the screen until Esc, then takes its figure's size.
function sized(plot, layout) {
  if (document.fullscreenElement !== plot) return layout;
  return { ...layout, width: window.innerWidth, height: window.innerHeight };
}

function followFullScreen(plot, Plotly) {
  plot.addEventListener("fullscreenchange", () => {
    plot.style.height = `${sized(plot, plot.bpFigure.layout).height}px`;
    schedule(plot, Plotly);
  });
}

// Draw the newest figure at the next frame: redraws that come faster than the display are
// merged into one.
function schedule(plot, Plotly) {
  if (plot.bpFrame) return;
  plot.bpFrame = requestAnimationFrame(() => {
    plot.bpFrame = 0;
    plot.bpWaiting = plot.bpHeld;
    if (plot.bpHeld) return;
    const { data, layout } = plot.bpFigure;
    // One config object per plot: Plotly.react draws the whole plot anew when the config changes.
    plot.bpConfig ??= config(plot, Plotly);
    Plotly.react(plot, data, sized(plot, withView(plot, layout)), plot.bpConfig);
    if (!plot.bpResize) {
      followView(plot);
      followFullScreen(plot, Plotly);
      followClicks(plot);
      // A hidden plot cannot be resized; it is laid out again when it is drawn next.
      const resize = () => plot.offsetParent && Plotly.Plots.resize(plot).catch(() => {});
      plot.bpResize = new ResizeObserver(resize);
      plot.bpResize.observe(plot);
      holdWhilePressed(plot, Plotly);
    }
  });
}

// plotly's typed-array spec ({dtype, bdata}) as a typed array; a typed array as it is.
const ARRAYS = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
  u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};

function decode(spec) {
  if (ArrayBuffer.isView(spec)) return spec;
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  return new ARRAYS[spec.dtype](bytes.buffer);
}

// Screen readers announce a chart by its title, without the markup of its super- and subscripts.
function name(plot) {
  const title = plot.bpFigure.layout.title?.text ?? plot.bpFilename;
  plot.setAttribute("role", "figure");
  plot.setAttribute("aria-label", title.replace(/<[^>]*>/g, "") || "chart");
}

// A redraw is a whole figure, or a patch on the one before it (see plotly_chart.patch): the
// layout when it changed, and per trace either the whole trace or the tail of its y values.
// A patch on a figure this tab does not hold is skipped: the chart keeps what it shows until
// the next whole figure, which comes within a few redraws.
function update(plot, data) {
  if (data.figure !== undefined) {
    plot.bpFigure = JSON.parse(data.figure);
  } else {
    const patch = JSON.parse(data.patch);
    if (!plot.bpFigure || plot.bpSeq !== patch.base) return false;
    const figure = plot.bpFigure;
    if (patch.layout) figure.layout = patch.layout;
    figure.data = patch.data.map((trace, i) => {
      if (trace.y?.from === undefined) return trace;
      const old = decode(figure.data[i].y);
      const tail = decode(trace.y);
      const y = new old.constructor(trace.y.from + tail.length);
      y.set(old.subarray(0, trace.y.from));
      y.set(tail, trace.y.from);
      return { ...figure.data[i], y };
    });
  }
  plot.bpSeq = data.seq;
  plot.bpFilename = data.filename ?? "chart";
  return true;
}

export function draw({ data, parentElement, setTriggerValue }) {
  const { plot, note } = parts(parentElement);
  plot.bpSend = data.clickable ? setTriggerValue : null;
  if (!update(plot, data)) return plot.bpCleanup;
  name(plot);
  plot.style.height = `${sized(plot, plot.bpFigure.layout).height}px`;
  return loadPlotly(new URL(data.plotly, document.baseURI).href).then(
    (Plotly) => {
      plot.hidden = false;
      note.hidden = true;
      schedule(plot, Plotly);
      // Streamlit also calls a cleanup when a redraw's promise settles after the next redraw
      // has begun; only a plot that has left the page may be purged.
      plot.bpCleanup ??= () => {
        if (plot.isConnected) return;
        plot.bpResize?.disconnect();
        Plotly.purge(plot);
      };
      return plot.bpCleanup;
    },
    (err) => showError(parentElement, `${err.message}. Charts need plotly.js from the server.`),
  );
}
