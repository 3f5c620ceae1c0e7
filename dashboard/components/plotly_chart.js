// One plotly.js plot per chart, updated in place with Plotly.react on every redraw.
// Streamlit keeps the component's element while its key stays the same, so the plot is never
// unmounted and never blank between two redraws.

const CONFIG = { displayModeBar: false, displaylogo: false, responsive: false };
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

// Draw the newest figure at the next frame: redraws that come faster than the display are
// merged into one.
function schedule(plot, Plotly) {
  if (plot.bpFrame) return;
  plot.bpFrame = requestAnimationFrame(() => {
    plot.bpFrame = 0;
    const { data, layout } = plot.bpFigure;
    Plotly.react(plot, data, layout, CONFIG);
    if (!plot.bpResize) {
      // A hidden plot cannot be resized; it is laid out again when it is drawn next.
      const resize = () => plot.offsetParent && Plotly.Plots.resize(plot).catch(() => {});
      plot.bpResize = new ResizeObserver(resize);
      plot.bpResize.observe(plot);
    }
  });
}

export function draw({ data, parentElement }) {
  const { plot, note } = parts(parentElement);
  plot.bpFigure = JSON.parse(data.figure);
  plot.style.height = `${plot.bpFigure.layout.height}px`;
  return loadPlotly(new URL(data.plotly, document.baseURI).href).then(
    (Plotly) => {
      plot.hidden = false;
      note.hidden = true;
      schedule(plot, Plotly);
      return () => {
        plot.bpResize?.disconnect();
        Plotly.purge(plot);
      };
    },
    (err) => showError(parentElement, `${err.message}. Charts need plotly.js from the server.`),
  );
}
