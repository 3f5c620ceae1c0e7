// Keyboard control for a lecture: one keydown listener on the document per tab, which sends
// the page's actions to Python as triggers and full-screens the chart under the pointer.

const ACTIONS = [
  // [name, test]: the first test that matches a key press names its action
  ["train", (e) => e.key === " " && !e.shiftKey],
  ["step_100", (e) => e.key === "ArrowRight" && e.shiftKey],
  ["step", (e) => e.key === "ArrowRight" && !e.shiftKey],
  ["back", (e) => e.key === "ArrowLeft" && !e.shiftKey],
  ["reset", (e) => (e.key === "r" || e.key === "R") && !e.shiftKey],
  ["full_screen", (e) => (e.key === "f" || e.key === "F") && !e.shiftKey],
  ["help", (e) => e.key === "?"],
];
// Fields that take these keys themselves: text and number boxes, select boxes, sliders.
const FIELDS =
  'input:not([type="checkbox"]):not([type="radio"]):not([type="button"]), textarea, select, ' +
  '[contenteditable=""], [contenteditable="true"], [role="slider"], [role="combobox"], ' +
  '[role="listbox"], [role="textbox"], [role="spinbutton"]';
const HELP_ID = "bp-keys-help";

const tab = (window.bpKeys ??= { pointer: null, page: null, listening: false, sent: 0 });

function inField(event) {
  const target = event.composedPath()[0];
  return target instanceof Element && target.closest(FIELDS) !== null;
}

function chartUnderPointer() {
  if (!tab.pointer) return null;
  const [x, y] = tab.pointer;
  for (const element of document.elementsFromPoint(x, y)) {
    const plot = element.closest(".bp-plot");
    if (plot) return plot;
  }
  return null;
}

function say(text) {
  let note = document.getElementById("bp-keys-note");
  if (!note) {
    note = document.createElement("div");
    note.id = "bp-keys-note";
    note.setAttribute("role", "status");
    document.body.append(note);
  }
  note.textContent = text; // text, never markup
  note.hidden = false;
  clearTimeout(note.bpTimer);
  note.bpTimer = setTimeout(() => (note.hidden = true), 2500);
}

function fullScreen() {
  if (document.fullscreenElement) return document.exitFullscreen();
  const plot = chartUnderPointer();
  if (!plot) return say("Point at a chart, then press F to show it full screen.");
  return plot.requestFullscreen().catch(() => say("This browser refused to go full screen."));
}

function closeHelp() {
  document.getElementById(HELP_ID)?.remove();
}

function toggleHelp() {
  if (document.getElementById(HELP_ID)) return closeHelp();
  const box = document.createElement("div");
  box.id = HELP_ID;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Keyboard shortcuts");
  const title = document.createElement("h2");
  title.textContent = "Keys";
  const list = document.createElement("dl");
  for (const [keys, what] of tab.page.help) {
    const term = document.createElement("dt");
    term.textContent = keys;
    const detail = document.createElement("dd");
    detail.textContent = what;
    list.append(term, detail);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  close.addEventListener("click", closeHelp);
  box.append(title, list, close);
  document.body.append(box);
  close.focus();
}

function onKey(event) {
  if (!tab.page || event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  if (event.key === "Escape") {
    closeHelp(); // a browser leaves full screen on Esc itself; a headless one may not
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    return;
  }
  if (inField(event)) return;
  const found = ACTIONS.find(([, test]) => test(event));
  if (!found) return;
  const [name] = found;
  if (name === "help") toggleHelp();
  else if (name === "full_screen") fullScreen();
  else if (tab.page.actions.includes(name)) tab.page.send(name, `${Date.now()}-${++tab.sent}`);
  else return;
  event.preventDefault(); // Space would also scroll the page or press the focused button
  event.stopPropagation();
  tab.handled = event.key;
}

// A button is pressed by Space's keyup: swallow the keyup of a key press handled here.
function onKeyUp(event) {
  if (event.key !== tab.handled) return;
  tab.handled = null;
  event.preventDefault();
  event.stopPropagation();
}

export default function ({ data, setTriggerValue, parentElement }) {
  tab.page = { actions: data.actions, help: data.help, send: setTriggerValue };
  if (!tab.listening) {
    tab.listening = true;
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("keyup", onKeyUp, true);
    document.addEventListener("pointermove", (e) => (tab.pointer = [e.clientX, e.clientY]), {
      capture: true,
      passive: true,
    });
  }
  return () => {
    // a new page mounts its own; a page without keys leaves none behind
    if (!parentElement.isConnected && tab.page?.send === setTriggerValue) tab.page = null;
  };
}
